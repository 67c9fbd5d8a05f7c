import { beforeEach, describe, expect, it } from 'vitest';
import { summary } from '../../testing/fixtures';
import { selectedSession, useSessions } from './sessionsStore';

const st = () => useSessions.getState();

describe('sessions store', () => {
  beforeEach(() => {
    useSessions.setState({ byId: {}, order: [], selectedId: null, loaded: false, busy: {} });
  });

  it('lists newest first and selects the first when nothing is selected', () => {
    st().setAll([summary('a', { createdAt: 1 }), summary('b', { createdAt: 3 }), summary('c', { createdAt: 2 })]);
    expect(st().order).toEqual(['b', 'c', 'a']);
    expect(st().selectedId).toBe('b');
    expect(st().loaded).toBe(true);
  });

  it('keeps the selection across a reload of the list when it still exists', () => {
    st().setAll([summary('a', { createdAt: 1 }), summary('b', { createdAt: 2 })]);
    st().select('a');
    st().setAll([summary('a', { createdAt: 1 }), summary('b', { createdAt: 2 }), summary('c', { createdAt: 3 })]);
    expect(st().selectedId).toBe('a');
    st().setAll([summary('c', { createdAt: 3 })]);
    expect(st().selectedId).toBe('c');
  });

  it('upsert updates in place and adds new sessions in order', () => {
    st().setAll([summary('a', { createdAt: 1 })]);
    st().upsert(summary('a', { createdAt: 1, state: 'running' }));
    expect(st().byId.a?.state).toBe('running');
    st().upsert(summary('z', { createdAt: 5 }));
    expect(st().order).toEqual(['z', 'a']);
    expect(selectedSession(st())?.id).toBe('a');
  });

  it('selects the neighbour when the selected session is removed', () => {
    st().setAll([summary('a', { createdAt: 3 }), summary('b', { createdAt: 2 }), summary('c', { createdAt: 1 })]);
    st().select('b');
    st().remove('b');
    expect(st().order).toEqual(['a', 'c']);
    expect(st().selectedId).toBe('c');
    st().remove('c');
    expect(st().selectedId).toBe('a');
    st().remove('a');
    expect(st().selectedId).toBeNull();
    st().remove('nope');
  });

  it('tracks calls in flight per session and action', () => {
    st().setBusy('a', 'start', true);
    st().setBusy('a', 'stop', true);
    expect(st().busy.a).toEqual(['start', 'stop']);
    st().setBusy('a', 'start', false);
    expect(st().busy.a).toEqual(['stop']);
  });
});
