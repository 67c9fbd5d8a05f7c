/**
 * INPUT_WATCH on a real mainstone guest: keys injected through QMP (core.input, the keypad)
 * come back from the guest kernel's evdev as `input` agent events on the bus, in order, with
 * their Linux key codes and increasing CLOCK_MONOTONIC timestamps; off stops them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootToPrompt, liveCore } from '../../../test/live-core';
import type { Core } from '../core';
import type { AgentEventMessage } from './client';
import { parseInputEvent, type InputEvent } from './input-event';
import { until } from './testing/native-agent';

let core: Core;
let dispose: () => Promise<void>;
let id: string;

beforeAll(async () => {
  ({ core, dispose } = await liveCore());
  id = await bootToPrompt(core, 'agent-input');
  await core.agents.waitReady(id, 60_000);
}, 900_000);
afterAll(async () => dispose?.());

/** Guest CLOCK_MONOTONIC in µs, roughly (/proc/uptime is CLOCK_BOOTTIME: equal without suspend). */
async function guestUptimeUs(): Promise<number> {
  const text = (await core.agents.files(id).get('/proc/uptime')).toString();
  return Math.round(Number(text.split(' ')[0]) * 1e6);
}

describe('input watch on a real mainstone guest', () => {
  it('keypad keys injected through QMP arrive as `input` events on the bus: codes in order, increasing kernel times; off stops them', async () => {
    const watch = core.agents.channel(id, 'input-test');
    const devices = await watch.inputWatch(true);
    expect(devices.map((d) => d.name)).toContain('pxa27x-keypad');
    const keypad = devices.find((d) => d.name === 'pxa27x-keypad')!.node;

    const onBus: InputEvent[] = [];
    const offBus = core.bus.on('agent.event', (e) => {
      if (e.sessionId !== id || e.kind !== 'input') return;
      const p = parseInputEvent(e.text);
      expect(p, e.text).not.toBeNull();
      onBus.push(p!);
    });
    const raw: AgentEventMessage[] = [];
    const client = core.agents.broker(id).client;
    const onRaw = (e: AgentEventMessage) => e.kind.startsWith('input') && raw.push(e);
    client.on('event', onRaw);
    try {
      const before = await guestUptimeUs();
      const keys: [string, number][] = [
        ['a', 30],
        ['b', 48],
        ['a', 30],
        ['z', 44],
      ];
      for (const [k] of keys) {
        await core.input.injectKey(id, k, true);
        await core.input.injectKey(id, k, false);
      }
      await until(() => onBus.length >= keys.length * 2, 10_000, `${keys.length * 2} input events`);
      const after = await guestUptimeUs();
      expect(onBus.map((e) => [e.code, e.value])).toEqual(keys.flatMap(([, code]) => [
        [code, 1],
        [code, 0],
      ]));
      expect(onBus.every((e) => e.dev === keypad && e.name === 'pxa27x-keypad')).toBe(true);
      for (let i = 1; i < onBus.length; i++) expect(onBus[i]!.tUs).toBeGreaterThan(onBus[i - 1]!.tUs);
      // On the guest's monotonic clock: within the window the keys were sent in (±1 s of /proc/uptime's rounding and reading).
      expect(onBus[0]!.tUs).toBeGreaterThan(before - 1_000_000);
      expect(onBus.at(-1)!.tUs).toBeLessThan(after + 1_000_000);
      console.log(`kernel times of 8 key events (µs after the first): ${onBus.map((e) => e.tUs - onBus[0]!.tUs).join(' ')}`);

      // Off: this channel gets nothing more. Proof without waiting for an absence: a second
      // watcher turned on after the off sees a later key; had the first still been on, the
      // earlier key would have reached it first (the agent sends in the order it reads).
      const chA = await watch.channelId();
      await watch.inputWatch(false);
      const nA = raw.filter((e) => e.channel === chA).length;
      await core.input.injectKey(id, 'c', true);
      await core.input.injectKey(id, 'c', false);
      const probe = core.agents.channel(id, 'input-probe');
      const chB = await probe.channelId();
      await probe.inputWatch(true);
      await core.input.injectKey(id, 'd', true);
      await core.input.injectKey(id, 'd', false);
      await until(() => raw.some((e) => e.channel === chB && parseInputEvent(e.text)?.code === 32), 10_000, 'KEY_D on the probe channel');
      expect(raw.filter((e) => e.channel === chA).length).toBe(nA);
      await probe.inputWatch(false);
    } finally {
      offBus();
      client.off('event', onRaw);
    }
  });
});
