import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplayEventResult } from '../../../../src-shared/features/replay';
import { KEY_STRIDE, runEndUs, segmentMode, segmentsOf, type Segment } from './segments';
import { consoleEvent, key, report } from './testData';

const chainOf = (s: Segment[]) => s.filter((x) => x.kind === 'chain');

describe('segmentsOf (markers)', () => {
  const r = report({
    replay: { startedAt: 1_000_000, endedAt: 1_005_000 },
    events: [key('e1', 100_000), key('e2', 150_000, false), consoleEvent('e3', 2_000_000), key('e4', 4_000_000, true, 4_000_400)],
    markers: [
      { us: 1_000_000, text: 'login' },
      { us: 3_000_000, text: 'ready' },
      { us: 3_500_000, text: 'ready' },
    ],
  });

  it('chains start → each marker → end, numbering repeated marker texts', () => {
    const chain = chainOf(segmentsOf(r, 'markers'));
    expect(chain.map((s) => [s.label, s.startUs, s.endUs])).toEqual([
      ['start → login', 0, 1_000_000],
      ['login → ready', 1_000_000, 3_000_000],
      ['ready → ready (2)', 3_000_000, 3_500_000],
      ['ready (2) → end', 3_500_000, 5_000_000],
    ]);
    expect(new Set(chain.map((s) => s.key)).size).toBe(chain.length);
  });

  it('times each key press and console write to the first marker at or after it; releases and inputs after the last marker get no row', () => {
    const responses = segmentsOf(r, 'markers').filter((s) => s.kind === 'response');
    expect(responses.map((s) => [s.key, s.startUs, s.endUs])).toEqual([
      ['response:e1', 100_000, 1_000_000],
      ['response:e3', 2_000_000, 3_000_000],
    ]);
    expect(responses[1]!.label).toBe('ls\\r → ready');
  });

  it('uses the guest time of an event when there is one', () => {
    const g = report({ events: [key('k', 1000, true, 1800)], markers: [{ us: 5000, text: 'm' }] });
    const resp = segmentsOf(g, 'markers').find((s) => s.kind === 'response')!;
    expect(resp.startUs).toBe(1800);
  });

  it('leaves out events that were never injected', () => {
    const failed: ReplayEventResult = { ...key('k', 1000), injectedUs: null };
    const g = report({ events: [failed], markers: [{ us: 5000, text: 'm' }] });
    expect(segmentsOf(g, 'markers').some((s) => s.kind === 'response')).toBe(false);
  });
});

describe('segmentsOf (no markers)', () => {
  it('cuts at console events and every 10th key press, never at releases', () => {
    const events: ReplayEventResult[] = [];
    for (let i = 0; i < 25; i++) {
      events.push(key(`d${i}`, i * 100_000), key(`u${i}`, i * 100_000 + 50_000, false));
    }
    events.push(consoleEvent('c', 1_234_567));
    const r = report({ replay: { startedAt: 0, endedAt: 3000 }, events });
    const chain = segmentsOf(r, 'events');
    expect(chain.map((s) => s.endUs)).toEqual([(KEY_STRIDE - 1) * 100_000, 1_234_567, (2 * KEY_STRIDE - 1) * 100_000, 3_000_000]);
    expect(chain[0]!.label).toBe('start → key 10: a ↓');
  });

  it('is one start → end segment for a run with nothing to cut at, so the table is never empty', () => {
    const r = report({ replay: { startedAt: 0, endedAt: 2000 }, events: [key('a', 10)] });
    expect(segmentsOf(r, 'events')).toEqual([{ key: 'chain:start→end', label: 'start → end', kind: 'chain', startUs: 0, endUs: 2_000_000 }]);
  });
});

describe('runEndUs', () => {
  it('is endedAt − startedAt, pushed out to a later event or marker', () => {
    expect(runEndUs(report({ replay: { startedAt: 1000, endedAt: 3000 } }))).toBe(2_000_000);
    expect(runEndUs(report({ replay: { startedAt: 1000, endedAt: 3000 }, markers: [{ us: 2_500_000, text: 'late' }] }))).toBe(2_500_000);
    expect(runEndUs(report({ replay: { startedAt: 1000, endedAt: null }, events: [key('a', 700_000)] }))).toBe(700_000);
    expect(runEndUs(report({ replay: { startedAt: null, endedAt: null } }))).toBe(0);
  });
});

describe('segmentMode', () => {
  it('is markers as soon as one report has a marker', () => {
    expect(segmentMode([report(), report({ markers: [{ us: 1, text: 'x' }] })])).toBe('markers');
    expect(segmentMode([report(), report()])).toBe('events');
  });
});

const arbEvent = fc.oneof(
  fc.record({ kind: fc.constant('key' as const), us: fc.integer({ min: -1000, max: 20_000_000 }), down: fc.boolean(), guest: fc.option(fc.integer({ min: 0, max: 500 })), injected: fc.boolean() }),
  fc.record({ kind: fc.constant('console' as const), us: fc.integer({ min: -1000, max: 20_000_000 }), down: fc.constant(true), guest: fc.constant(null), injected: fc.boolean() }),
);
const arbReport = fc
  .record({
    events: fc.array(arbEvent, { maxLength: 60 }),
    markers: fc.array(fc.record({ us: fc.integer({ min: -1000, max: 25_000_000 }), text: fc.constantFrom('a', 'b', 'c') }), { maxLength: 8 }),
    endedAfterMs: fc.option(fc.integer({ min: 0, max: 30_000 })),
  })
  .map(({ events, markers, endedAfterMs }) =>
    report({
      replay: { startedAt: 1_000_000, endedAt: endedAfterMs === null ? null : 1_000_000 + endedAfterMs },
      events: events.map((e, i) => ({ eventId: `e${i}`, kind: e.kind, label: e.kind === 'key' ? `a ${e.down ? '↓' : '↑'}` : 'x', scheduledUs: e.us, injectedUs: e.injected ? e.us : null, guestUs: e.injected && e.guest !== null ? e.us + e.guest : null })),
      markers,
    }),
  );

describe('segments (properties)', () => {
  it('the chain covers the run: from 0 to its end, each segment starting where the last one ended, none negative', () => {
    fc.assert(
      fc.property(arbReport, fc.constantFrom('markers' as const, 'events' as const), (r, mode) => {
        const chain = chainOf(segmentsOf(r, mode));
        expect(chain.length).toBeGreaterThan(0);
        expect(chain[0]!.startUs).toBe(0);
        expect(chain[chain.length - 1]!.endUs).toBe(runEndUs(r));
        for (let i = 0; i < chain.length; i++) {
          expect(chain[i]!.endUs).toBeGreaterThanOrEqual(chain[i]!.startUs);
          if (i > 0) expect(chain[i]!.startUs).toBe(chain[i - 1]!.endUs);
        }
        expect(new Set(chain.map((s) => s.key)).size).toBe(chain.length);
      }),
    );
  });

  it('an input → response segment ends at a marker and never runs backwards', () => {
    fc.assert(
      fc.property(arbReport, (r) => {
        const markerTimes = new Set(r.markers.map((m) => m.us));
        for (const s of segmentsOf(r, 'markers').filter((x) => x.kind === 'response')) {
          expect(markerTimes.has(s.endUs)).toBe(true);
          expect(s.endUs).toBeGreaterThanOrEqual(s.startUs);
        }
      }),
    );
  });
});
