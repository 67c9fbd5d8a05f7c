/** The command line of a run under QEMU record/replay (docs/deterministic-mode.md). */
import { describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { buildQemuArgs, withReplayNetFilter } from './session';

const base = {
  board: mainstone,
  image: { kernel: 'k', initrd: 'i', sd: '/w/rr/sd.img' } as never,
  sockets: { qmp: 'q', console: 'tcp:127.0.0.1:4001', agent: 'tcp:127.0.0.1:4002' },
  gdbPort: 1234,
  logFile: 'l',
  agentDataPort: 40000,
};
const valueOf = (args: string[], opt: string) => args.filter((_, i) => args[i - 1] === opt);

describe('record/replay command line', () => {
  it('record: icount with the log, SD card snapshot=on, TCP serials, filter-replay on the named NIC', () => {
    const args = buildQemuArgs({ ...base, rr: { mode: 'record', logFile: '/w/rr/replay,1.bin' } });
    expect(valueOf(args, '-icount')).toEqual(['shift=auto,rr=record,rrfile=/w/rr/replay,,1.bin']);
    expect(valueOf(args, '-drive')).toEqual(['if=sd,file=/w/rr/sd.img,format=raw,snapshot=on']);
    expect(valueOf(args, '-chardev')).toEqual([
      'socket,id=serial0,host=127.0.0.1,port=4001,server=on,wait=off',
      'socket,id=serial1,host=127.0.0.1,port=4002,server=on,wait=off',
    ]);
    expect(valueOf(args, '-nic')).toEqual(['user,hostfwd=tcp:127.0.0.1:40000-:7777,id=rrnet0']);
    expect(valueOf(args, '-object')).toEqual(['filter-replay,id=rrfilter0,netdev=rrnet0']);
    // QEMU refuses these under record/replay
    expect(args).not.toContain('-snapshot');
    expect(args.join(' ')).not.toMatch(/thread=multi|rrsnapshot/);
  });

  it('replay: the same line with rr=replay', () => {
    const rec = buildQemuArgs({ ...base, rr: { mode: 'record', logFile: 'L' } });
    const rep = buildQemuArgs({ ...base, rr: { mode: 'replay', logFile: 'L' } });
    expect(rep).toEqual(rec.map((a) => a.replace('rr=record', 'rr=replay')));
  });

  it('an ordinary run: unix sockets by path, no icount, the SD card written', () => {
    const args = buildQemuArgs({ ...base, sockets: { qmp: 'q', console: '/run/c.sock', agent: '/run/a.sock' } });
    expect(args).not.toContain('-icount');
    expect(args).not.toContain('-object');
    expect(valueOf(args, '-drive')).toEqual(['if=sd,file=/w/rr/sd.img,format=raw']);
    expect(valueOf(args, '-chardev')[0]).toBe('socket,id=serial0,path=/run/c.sock,server=on,wait=off');
  });

  it('withReplayNetFilter keeps an id the NIC already has and leaves boards without a user NIC alone', () => {
    expect(withReplayNetFilter(['-netdev', 'user,id=n0', '-device', 'virtio-net-device,netdev=n0'])).toEqual([
      '-netdev',
      'user,id=n0',
      '-object',
      'filter-replay,id=rrfilter0,netdev=n0',
      '-device',
      'virtio-net-device,netdev=n0',
    ]);
    expect(withReplayNetFilter(['-nic', 'none'])).toEqual(['-nic', 'none']);
  });
});
