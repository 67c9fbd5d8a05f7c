/** The QEMU arguments that forward the host's 127.0.0.1 port to the agent's data channel. */
import { describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { buildQemuArgs, hasUserNet, withAgentDataForward } from '../qemu/session';
import { AGENT_DATA_GUEST_PORT } from './data-channel';

describe('agent data channel forward', () => {
  it('adds a 127.0.0.1-only hostfwd to the user NIC, keeps the rest', () => {
    expect(withAgentDataForward(['-nic', 'user'], 40123)).toEqual(['-nic', `user,hostfwd=tcp:127.0.0.1:40123-:${AGENT_DATA_GUEST_PORT}`]);
    expect(withAgentDataForward(['-netdev', 'user,id=n0', '-device', 'virtio-net-device,netdev=n0'], 5)).toEqual(['-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:5-:7777', '-device', 'virtio-net-device,netdev=n0']);
    expect(withAgentDataForward(['-nic', 'none'], 5)).toEqual(['-nic', 'none']);
    expect(withAgentDataForward(['-device', 'user'], 5)).toEqual(['-device', 'user']); // not a NIC option
    expect(hasUserNet(['-nic', 'user'])).toBe(true);
    expect(hasUserNet(['-nic', 'none'])).toBe(false);
    expect(hasUserNet(['-nic', 'usermode'])).toBe(false);
  });

  it('mainstone: the forward is in the command line only when a port is given', () => {
    const base = {
      board: mainstone,
      image: { kernel: 'k', initrd: 'i', sd: 's' } as never,
      sockets: { qmp: 'q', console: 'c', agent: 'a' },
      gdbPort: 1234,
      logFile: 'l',
    };
    const withFwd = buildQemuArgs({ ...base, agentDataPort: 40000 });
    const nic = withFwd[withFwd.indexOf('-nic') + 1];
    expect(nic).toBe('user,hostfwd=tcp:127.0.0.1:40000-:7777');
    expect(withFwd.join(' ')).not.toMatch(/hostfwd=tcp::|0\.0\.0\.0/);
    const without = buildQemuArgs(base);
    expect(without[without.indexOf('-nic') + 1]).toBe('user');
  });
});
