import { describe, expect, it } from 'vitest';
import { buildLaneIndex, firstAtOrAfter } from './lanes';
import type { RecordedEvent } from './model';

const k = (id: string, t: number, key: string, down: boolean): RecordedEvent => ({ id, t, kind: 'key', key, down });

describe('laneIndex', () => {
  it('pairs presses with releases, rows held keys apart, keeps orphans', () => {
    const idx = buildLaneIndex({
      speed: 1,
      events: [
        k('s1', 0, 'shift', true),
        k('a1', 10, 'a', true),
        k('a2', 20, 'a', false),
        k('s2', 30, 'shift', false),
        k('x', 40, 'b', false),
        k('r1', 50, 'ret', true),
        { id: 'c', t: 60, kind: 'console', data: 'ls' },
        { id: 'm', t: 70, kind: 'marker', text: 'ready' },
      ],
    });
    expect(idx.bars.map((b) => [b.key, b.start, b.end, b.row, b.pressId, b.releaseId])).toEqual([
      ['shift', 0, 30, 0, 's1', 's2'],
      ['a', 10, 20, 1, 'a1', 'a2'],
      ['b', 40, 40, 0, null, 'x'],
      ['ret', 50, 70, 0, 'r1', null],
    ]);
    expect(idx.longestBarUs).toBe(30);
    expect(idx.barOf('a2')?.pressId).toBe('a1');
    expect(idx.console.map((e) => e.id)).toEqual(['c']);
    expect(idx.markers.map((e) => e.id)).toEqual(['m']);
  });

  it('ends a bar at a repeated press of the same key', () => {
    const idx = buildLaneIndex({ speed: 1, events: [k('p1', 0, 'a', true), k('p2', 100, 'a', true), k('u', 150, 'a', false)] });
    expect(idx.bars.map((b) => [b.start, b.end, b.releaseId])).toEqual([
      [0, 100, null],
      [100, 150, 'u'],
    ]);
  });

  it('binary-searches a sorted array', () => {
    const arr = [{ t: 1 }, { t: 3 }, { t: 3 }, { t: 9 }];
    expect(firstAtOrAfter(arr, 3, (x) => x.t)).toBe(1);
    expect(firstAtOrAfter(arr, 4, (x) => x.t)).toBe(3);
    expect(firstAtOrAfter(arr, 10, (x) => x.t)).toBe(4);
  });
});
