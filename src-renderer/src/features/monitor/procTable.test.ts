import { describe, expect, it } from 'vitest';
import { commandText, DEFAULT_SORT, filterRows, rowActions, sortRows, toggleSort, visibleSlice } from './procTable';
import { proc } from './testPoints';

const rows = [
  proc(1, { comm: 'init', cmdline: 'init', cpuPct: 0.1 }),
  proc(2, { comm: 'kthreadd', cmdline: '', exe: '', kernelThread: true, cpuPct: 0 }),
  proc(120, { comm: 'httpd', cmdline: '/usr/sbin/httpd -f', user: 'www', cpuPct: 12, rssKb: 5000 }),
  proc(130, { comm: 'sh', cmdline: '-sh', cpuPct: 12, rssKb: 900 }),
];

describe('top table', () => {
  it('sorts by CPU % descending by default, ties by pid', () => {
    expect(sortRows(rows, DEFAULT_SORT).map((r) => r.pid)).toEqual([120, 130, 1, 2]);
  });
  it('header clicks flip a column, a new column starts where it makes sense', () => {
    expect(toggleSort(DEFAULT_SORT, 'cpuPct')).toEqual({ key: 'cpuPct', dir: 'asc' });
    expect(toggleSort(DEFAULT_SORT, 'user')).toEqual({ key: 'user', dir: 'asc' });
    expect(toggleSort(DEFAULT_SORT, 'rssKb')).toEqual({ key: 'rssKb', dir: 'desc' });
    const cmds = [proc(5, { cmdline: 'zsh' }), proc(6, { cmdline: 'awk x' }), proc(7, { cmdline: 'make -j2' })];
    expect(sortRows(cmds, { key: 'cmdline', dir: 'asc' }).map((r) => r.pid)).toEqual([6, 7, 5]);
    expect(sortRows(cmds, { key: 'cmdline', dir: 'desc' }).map((r) => r.pid)).toEqual([5, 7, 6]);
    expect(sortRows(rows, { key: 'user', dir: 'desc' }).map((r) => r.pid)[0]).toBe(120);
  });
  it('filters on comm, command line, pid and user, and hides kernel threads', () => {
    expect(filterRows(rows, 'HTTP', false).map((r) => r.pid)).toEqual([120]);
    expect(filterRows(rows, '13', false).map((r) => r.pid)).toEqual([130]);
    expect(filterRows(rows, 'www', false).map((r) => r.pid)).toEqual([120]);
    expect(filterRows(rows, 'kthread', false).map((r) => r.pid)).toEqual([2]);
    expect(filterRows(rows, '', true).map((r) => r.pid)).toEqual([1, 120, 130]);
  });
  it('shows kernel threads as [comm]', () => {
    expect(commandText(rows[1]!)).toBe('[kthreadd]');
    expect(commandText(rows[2]!)).toBe('/usr/sbin/httpd -f');
  });
  it('renders only the rows in view plus overscan', () => {
    expect(visibleSlice(0, 240, 24, 500, 5)).toEqual({ first: 0, end: 15 });
    expect(visibleSlice(2400, 240, 24, 500, 5)).toEqual({ first: 95, end: 115 });
    expect(visibleSlice(11_900, 240, 24, 500, 5)).toEqual({ first: 490, end: 500 });
    expect(visibleSlice(0, 240, 24, 0)).toEqual({ first: 0, end: 0 });
  });
  it('offers the signals that make sense', () => {
    expect(rowActions(proc(50, { state: 'S' }))).toEqual({ suspend: true, resume: false, kill: true });
    expect(rowActions(proc(50, { state: 'T' }))).toEqual({ suspend: false, resume: true, kill: true });
    expect(rowActions(proc(1))).toEqual({ suspend: false, resume: false, kill: false });
    expect(rowActions(proc(9, { kernelThread: true }))).toEqual({ suspend: false, resume: false, kill: false });
  });
});
