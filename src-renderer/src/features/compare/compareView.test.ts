import { describe, expect, it } from 'vitest';
import { IRQ_TOTAL } from './chartData';
import type { ReplayLoad } from './compareData';
import { useCompare } from './compareStore';
import { chartReplay, fullRange, irqChoices, irqTitle, legendText, tableInputs } from './compareView';
import { legendLayout } from './exportPng';
import { consoleEvent, key, point, report } from './testData';

const loaded = (r: ReturnType<typeof report>, points = [point(r.replay.startedAt! + 10)], excluded: string | null = null): ReplayLoad => ({
  replayId: r.replay.replayId,
  status: 'loaded',
  report: r,
  points,
  irqLines: [{ id: '25', name: 'SC 25 Level pxa2xx-mci' }],
  monitorNote: null,
  excluded,
});

describe('compare view', () => {
  it('names a replay by number, session and iteration', () => {
    const r = report({ replay: { sessionId: 'board-two', iteration: 2, of: 3 } });
    expect(legendText(loaded(r), 0)).toBe('replay 1 · session board-two · iteration 2/3');
    expect(legendText({ replayId: 'p0000000f', status: 'error', error: 'x' }, 2)).toBe('replay 3 · p0000000f');
  });

  it('ticks the replayed events (guest time when known) and flags the markers, in seconds', () => {
    const r = report({ events: [key('a', 1_000_000, true, 1_200_000), consoleEvent('c', 2_000_000), { ...key('m', 3_000_000), kind: 'marker', injectedUs: null }], markers: [{ us: 2_500_000, text: 'ready' }] });
    const c = chartReplay(loaded(r), 1);
    expect(c.eventsS).toEqual([1.2, 2]);
    expect(c.markers).toEqual([{ s: 2.5, text: 'ready' }]);
    expect(c.columns).not.toBeNull();
    expect(chartReplay(loaded(r, []), 1).columns).toBeNull();
  });

  it('shows 2 s either side of the longest run', () => {
    const a = report({ replay: { startedAt: 0, endedAt: 5000 } });
    const b = report({ replay: { startedAt: 0, endedAt: 8000 } });
    expect(fullRange([loaded(a), loaded(b)])).toEqual([-2, 10]);
  });

  it('feeds the table only finished replays as usable', () => {
    const r = report();
    const inputs = tableInputs([loaded(r), loaded(r, [], 'cancelled'), { replayId: 'x', status: 'error', error: 'e' }]);
    expect(inputs.map((i) => i.usable)).toEqual([true, false, false]);
  });

  it('offers all lines first, then each line seen, in numeric order and named', () => {
    const r = report();
    const choices = irqChoices([loaded(r, [point(1_000_010, { irq: { '100': 1, '25': 2 } }), point(1_000_020, { irq: { '3': 1 } })])]);
    expect(choices.map((c) => c.id)).toEqual([IRQ_TOTAL, '3', '25', '100']);
    expect(choices[2]!.label).toBe('25 pxa2xx-mci');
    expect(irqTitle(choices[0])).toBe('IRQ rate (all lines)');
    expect(irqTitle(choices[2])).toBe('IRQ rate: 25 pxa2xx-mci');
  });
});

describe('useCompare', () => {
  it('opens on the picked replays (each once) and closes', () => {
    useCompare.getState().open(['p00000001', 'p00000002', 'p00000001']);
    expect(useCompare.getState().replayIds).toEqual(['p00000001', 'p00000002']);
    useCompare.getState().close();
    expect(useCompare.getState().replayIds).toBeNull();
  });
});

describe('legendLayout', () => {
  it('wraps items that do not fit the width onto the next row', () => {
    expect(legendLayout([100, 100, 100], 250, 10)).toEqual([
      { row: 0, x: 0 },
      { row: 0, x: 110 },
      { row: 1, x: 0 },
    ]);
    expect(legendLayout([400], 250)).toEqual([{ row: 0, x: 0 }]);
  });
});
