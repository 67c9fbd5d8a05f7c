import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordedEvent as RecordedEventSchema } from '../../../../../src-shared/features/recording';
import { applyOp, freshIds, insertOp, moveOp, MAX_T_US, Timeline, type RecordedEvent, type TimelineDoc } from './model';

const key = (id: string, t: number, k: string, down: boolean): RecordedEvent => ({ id, t, kind: 'key', key: k, down });
const con = (id: string, t: number, data: string): RecordedEvent => ({ id, t, kind: 'console', data });
const mark = (id: string, t: number, text: string): RecordedEvent => ({ id, t, kind: 'marker', text });

function checkInvariants(doc: TimelineDoc): void {
  const ids = new Set<string>();
  doc.events.forEach((e, i) => {
    expect(Number.isInteger(e.t), `t of ${e.id} is an integer`).toBe(true);
    expect(e.t).toBeGreaterThanOrEqual(0);
    expect(e.t).toBeLessThanOrEqual(MAX_T_US);
    if (i > 0) expect(e.t, `event ${i} sorted`).toBeGreaterThanOrEqual(doc.events[i - 1]!.t);
    expect(ids.has(e.id), `id ${e.id} unique`).toBe(false);
    ids.add(e.id);
    expect(RecordedEventSchema.safeParse(e).success, `event ${e.id} matches the format`).toBe(true);
  });
  expect(doc.speed).toBeGreaterThanOrEqual(0.05);
  expect(doc.speed).toBeLessThanOrEqual(20);
}

// Times drawn from a small range so equal times (whose order must survive undo) are common.
const arbEvent = fc.oneof(
  fc.record({ t: fc.integer({ min: 0, max: 40 }).map((x) => x * 5000), key: fc.constantFrom('a', 'b', 'shift', 'ret'), down: fc.boolean() }).map((r) => ({ kind: 'key' as const, ...r })),
  fc.record({ t: fc.integer({ min: 0, max: 40 }).map((x) => x * 5000), data: fc.string({ minLength: 1, maxLength: 5 }) }).map((r) => ({ kind: 'console' as const, ...r })),
  fc.record({ t: fc.integer({ min: 0, max: 200_000 }), text: fc.string({ maxLength: 5 }) }).map((r) => ({ kind: 'marker' as const, ...r })),
);

const arbDoc: fc.Arbitrary<TimelineDoc> = fc
  .record({
    raw: fc.array(arbEvent, { maxLength: 30 }),
    // Ids as recorded ("e<N>") or from elsewhere ("k<N>"): fresh ids must avoid both.
    idStyle: fc.constantFrom('e', 'k', 'mixed'),
    speed: fc.constantFrom(0.5, 1, 2),
  })
  .map(({ raw, idStyle, speed }) => {
    const sorted = raw.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i);
    const events = sorted.map(({ e }, i) => {
      const prefix = idStyle === 'mixed' ? (i % 2 ? 'e' : 'k') : idStyle;
      return { ...e, id: `${prefix}${i * 3 + 1}` } as RecordedEvent;
    });
    return { speed, events };
  });

type Cmd =
  | { c: 'select'; picks: number[]; mode: 'replace' | 'add' | 'toggle' }
  | { c: 'range'; from: number; to: number }
  | { c: 'move'; dt: number }
  | { c: 'nudge'; dir: -1 | 1; big: boolean; grid: number }
  | { c: 'key'; t: number; key: string; hold: number }
  | { c: 'console'; t: number; text: string }
  | { c: 'delete' }
  | { c: 'copyPaste'; at: number }
  | { c: 'snap'; grid: number }
  | { c: 'speed'; speed: number }
  | { c: 'time'; pick: number; t: number }
  | { c: 'fields'; pick: number; text: string }
  | { c: 'drag'; steps: number[] }
  | { c: 'undo' }
  | { c: 'redo' };

const EDITS: fc.Arbitrary<Cmd>[] = [
  fc.record({ c: fc.constant('move' as const), dt: fc.integer({ min: -300_000, max: 300_000 }) }),
  fc.record({ c: fc.constant('nudge' as const), dir: fc.constantFrom(-1 as const, 1 as const), big: fc.boolean(), grid: fc.constantFrom(0, 1000, 5000, 100_000) }),
  fc.record({ c: fc.constant('key' as const), t: fc.integer({ min: -1000, max: 300_000 }), key: fc.constantFrom('a', 'kp_1', 'spc'), hold: fc.integer({ min: 1, max: 200_000 }) }),
  fc.record({ c: fc.constant('console' as const), t: fc.integer({ min: 0, max: 300_000 }), text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.constant({ c: 'delete' as const }),
  fc.record({ c: fc.constant('copyPaste' as const), at: fc.integer({ min: 0, max: 300_000 }) }),
  fc.record({ c: fc.constant('snap' as const), grid: fc.constantFrom(1000, 5000, 10_000, 50_000, 100_000) }),
  fc.record({ c: fc.constant('speed' as const), speed: fc.double({ min: 0.01, max: 30, noNaN: true }) }),
  fc.record({ c: fc.constant('time' as const), pick: fc.nat(), t: fc.integer({ min: -5000, max: 300_000 }) }),
  fc.record({ c: fc.constant('fields' as const), pick: fc.nat(), text: fc.string({ minLength: 1, maxLength: 4 }) }),
  fc.record({ c: fc.constant('drag' as const), steps: fc.array(fc.integer({ min: -200_000, max: 200_000 }), { minLength: 1, maxLength: 4 }) }),
];
const SELECTS: fc.Arbitrary<Cmd>[] = [
  fc.record({ c: fc.constant('select' as const), picks: fc.array(fc.nat(), { maxLength: 6 }), mode: fc.constantFrom('replace' as const, 'add' as const, 'toggle' as const) }),
  fc.record({ c: fc.constant('range' as const), from: fc.integer({ min: 0, max: 200_000 }), to: fc.integer({ min: 0, max: 200_000 }) }),
];
const arbEdit = fc.oneof(...EDITS);
const arbCmd = fc.oneof(...EDITS, ...SELECTS, fc.constant({ c: 'undo' as const }), fc.constant({ c: 'redo' as const }));

function idAt(tl: Timeline, pick: number): string | undefined {
  const ev = tl.doc.events;
  return ev.length ? ev[pick % ev.length]!.id : undefined;
}

function run(tl: Timeline, cmd: Cmd): void {
  switch (cmd.c) {
    case 'select':
      tl.select(cmd.picks.map((p) => idAt(tl, p)).filter((x): x is string => !!x), cmd.mode);
      break;
    case 'range':
      tl.selectRange(cmd.from, cmd.to);
      break;
    case 'move':
      tl.moveSelected(cmd.dt);
      break;
    case 'nudge':
      tl.setGrid(cmd.grid);
      tl.nudge(cmd.dir, cmd.big);
      break;
    case 'key':
      tl.insertKey(cmd.t, cmd.key, cmd.hold);
      break;
    case 'console':
      tl.insertConsole(cmd.t, cmd.text);
      break;
    case 'delete':
      tl.deleteSelected();
      break;
    case 'copyPaste': {
      const clip = tl.copySelected();
      if (clip) tl.paste(clip, cmd.at);
      break;
    }
    case 'snap':
      tl.snapSelected(cmd.grid);
      break;
    case 'speed':
      tl.setSpeed(cmd.speed);
      break;
    case 'time': {
      const id = idAt(tl, cmd.pick);
      if (id) tl.setTime(id, cmd.t);
      break;
    }
    case 'fields': {
      const id = idAt(tl, cmd.pick);
      const e = tl.doc.events.find((x) => x.id === id);
      if (e?.kind === 'console') tl.setFields(e.id, { data: cmd.text });
      else if (e?.kind === 'marker') tl.setFields(e.id, { text: cmd.text });
      else if (e?.kind === 'key') tl.setFields(e.id, { key: 'b', down: !e.down });
      break;
    }
    case 'drag':
      tl.beginDrag();
      for (const dt of cmd.steps) tl.dragTo(dt);
      tl.endDrag();
      break;
    case 'undo':
      tl.undo();
      break;
    case 'redo':
      tl.redo();
      break;
  }
}

/** A timeline on `doc` with about half its events selected. */
function withSelection(doc: TimelineDoc, picks: number[]): Timeline {
  const tl = new Timeline(doc);
  tl.select(picks.map((p) => idAt(tl, p)).filter((x): x is string => !!x));
  return tl;
}

const snapshot = (doc: TimelineDoc) => JSON.parse(JSON.stringify(doc)) as TimelineDoc;

describe('Timeline edits (properties)', () => {
  it('every edit: undo after do gives the document back, redo after that gives the edit again', () => {
    fc.assert(
      fc.property(arbDoc, fc.array(fc.nat(), { maxLength: 8 }), arbEdit, (doc, picks, cmd) => {
        const tl = withSelection(doc, picks);
        const before = snapshot(tl.doc);
        const selectionBefore = [...tl.selection].sort();
        const undoBefore = tl.undoCount;
        run(tl, cmd);
        checkInvariants(tl.doc);
        const after = snapshot(tl.doc);
        if (tl.undoCount === undoBefore) {
          // Nothing changed, so nothing to undo.
          expect(after).toEqual(before);
          return;
        }
        expect(tl.undoCount).toBe(undoBefore + 1);
        expect(tl.undo()).toBe(true);
        expect(snapshot(tl.doc)).toEqual(before);
        expect([...tl.selection].sort()).toEqual(selectionBefore);
        expect(tl.redo()).toBe(true);
        expect(snapshot(tl.doc)).toEqual(after);
      }),
      { numRuns: 600 },
    );
  });

  it('random sequences keep the invariants, and undoing everything gives the original', () => {
    fc.assert(
      fc.property(arbDoc, fc.array(arbCmd, { maxLength: 40 }), (doc, cmds) => {
        const original = snapshot(doc);
        const tl = new Timeline(doc);
        for (const cmd of cmds) {
          run(tl, cmd);
          checkInvariants(tl.doc);
          for (const id of tl.selection) expect(tl.doc.events.some((e) => e.id === id)).toBe(true);
        }
        while (tl.undo());
        expect(snapshot(tl.doc)).toEqual(original);
        // Redo everything: back where the sequence left off (after its own undos).
        while (tl.redo());
        checkInvariants(tl.doc);
      }),
      { numRuns: 400 },
    );
  });

  it('each primitive op and its inverse are exact opposites', () => {
    fc.assert(
      fc.property(arbDoc, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.integer({ min: -100_000, max: 100_000 }), (doc, picks, dt) => {
        const ids = new Set(picks.map((p) => doc.events[p % Math.max(1, doc.events.length)]?.id).filter((x): x is string => !!x));
        const op = moveOp(doc, ids, dt);
        if (!op) return;
        const done = applyOp(doc, op);
        const undone = applyOp(done.doc, done.inverse);
        expect(undone.doc).toEqual(doc);
        // The inverse of the inverse is the operation again.
        expect(applyOp(undone.doc, undone.inverse).doc).toEqual(done.doc);
      }),
    );
  });
});

describe('Timeline edits (examples)', () => {
  it('restores the order of events with equal times on undo', () => {
    // Moving a to 10 ms puts it after b (both unmoved ties stay first); undo must give a, b, c again.
    const doc: TimelineDoc = { speed: 1, events: [key('a', 0, 'a', true), key('b', 0, 'a', false), con('c', 10_000, 'x')] };
    const tl = new Timeline(doc);
    tl.select(['a']);
    tl.moveSelected(10_000);
    expect(tl.doc.events.map((e) => e.id)).toEqual(['b', 'c', 'a']);
    tl.undo();
    expect(tl.doc.events.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });

  it('clamps a move at 0 without squashing the selection', () => {
    const tl = new Timeline({ speed: 1, events: [con('x', 5000, 'a'), con('y', 9000, 'b'), con('z', 20_000, 'c')] });
    tl.select(['x', 'y']);
    tl.moveSelected(-100_000);
    expect(tl.doc.events.map((e) => [e.id, e.t])).toEqual([
      ['x', 0],
      ['y', 4000],
      ['z', 20_000],
    ]);
  });

  it('nudges by one grid step, ten with shift, 1 ms with the grid off', () => {
    const tl = new Timeline({ speed: 1, events: [con('x', 100_000, 'a')] });
    tl.select(['x']);
    tl.nudge(1);
    expect(tl.doc.events[0]!.t).toBe(101_000);
    tl.setGrid(5000);
    tl.nudge(-1, true);
    expect(tl.doc.events[0]!.t).toBe(51_000);
    expect(tl.undoCount).toBe(2);
  });

  it('inserts a key as a press and a release with new ids, selected', () => {
    const tl = new Timeline({ speed: 1, events: [key('e7', 0, 'a', true), key('k99', 0, 'a', false)] });
    const ids = tl.insertKey(40_000, 'ret', 50_000);
    expect(ids).toEqual(['e8', 'e9']);
    expect(tl.doc.events.slice(2)).toEqual([key('e8', 40_000, 'ret', true), key('e9', 90_000, 'ret', false)]);
    expect([...tl.selection]).toEqual(['e8', 'e9']);
  });

  it('pastes a copy at a time with new ids, keeping the spacing', () => {
    const tl = new Timeline({ speed: 1, events: [con('e1', 10_000, 'a'), con('e2', 15_000, 'b')] });
    tl.selectAll();
    const clip = tl.copySelected()!;
    tl.paste(clip, 100_000);
    expect(tl.doc.events.map((e) => [e.id, e.t])).toEqual([
      ['e1', 10_000],
      ['e2', 15_000],
      ['e3', 100_000],
      ['e4', 105_000],
    ]);
    expect([...tl.selection].sort()).toEqual(['e3', 'e4']);
  });

  it('snaps the selection to the grid', () => {
    const tl = new Timeline({ speed: 1, events: [con('a', 12_400, 'a'), con('b', 17_600, 'b'), con('c', 30_001, 'c')] });
    tl.select(['a', 'b']);
    tl.snapSelected(5000);
    expect(tl.doc.events.map((e) => e.t)).toEqual([10_000, 20_000, 30_001]);
  });

  it('selects a time range of some lanes', () => {
    const tl = new Timeline({ speed: 1, events: [key('a', 0, 'a', true), con('b', 5000, 'x'), mark('c', 6000, 'm'), key('d', 9000, 'a', false)] });
    tl.selectRange(4000, 9000, ['console', 'key']);
    expect([...tl.selection].sort()).toEqual(['b', 'd']);
  });

  it('a drag previews without a history entry and commits one move', () => {
    const tl = new Timeline({ speed: 1, events: [con('a', 0, 'a'), con('b', 10_000, 'b')] });
    tl.select(['a']);
    tl.beginDrag();
    const shownBefore = tl.stateVersion;
    tl.dragTo(20_000);
    // The toolbar and inspector do not re-render per drag frame; the canvas does.
    expect(tl.stateVersion).toBe(shownBefore);
    expect(tl.shown.events.map((e) => e.id)).toEqual(['b', 'a']);
    expect(tl.doc.events.map((e) => e.id)).toEqual(['a', 'b']);
    expect(tl.undoCount).toBe(0);
    tl.dragTo(-5_000);
    tl.endDrag();
    expect(tl.undoCount).toBe(0); // clamped to 0: nothing moved
    tl.beginDrag();
    tl.dragTo(20_000);
    tl.endDrag();
    expect(tl.undoCount).toBe(1);
    expect(tl.doc.events.map((e) => [e.id, e.t])).toEqual([
      ['b', 10_000],
      ['a', 20_000],
    ]);
  });

  it('refuses a broken primitive instead of corrupting the order', () => {
    const doc: TimelineDoc = { speed: 1, events: [con('a', 0, 'a'), con('b', 10_000, 'b')] };
    expect(() => applyOp(doc, { kind: 'insert', items: [{ index: 0, event: con('c', 50_000, 'c') }] })).toThrow(/time order/);
    expect(() => applyOp(doc, { kind: 'remove', ids: ['zz'] })).toThrow(/unknown/);
  });

  it('fresh ids avoid those present', () => {
    const doc: TimelineDoc = { speed: 1, events: [con('e41', 0, 'a'), con('e3', 1, 'b')] };
    expect(freshIds(doc, 2)).toEqual(['e42', 'e43']);
    expect(insertOp(doc, [])).toBeNull();
  });
});
