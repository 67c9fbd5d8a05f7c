import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mainstone } from '../boards/profiles';
import { EventBus } from '../events';
import { HostTerminalService } from './service';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function service() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-hostterm-'));
  dirs.push(workspace);
  const bus = new EventBus();
  return { bus, svc: new HostTerminalService({ bus, workspace, boardOf: () => mainstone }), workspace };
}

function waitOutput(bus: EventBus, termId: string, re: RegExp, timeoutMs = 20_000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${re} in: ${JSON.stringify(text.slice(-500))}`))), timeoutMs);
    const off = bus.on('hostterm.output', (e) => {
      if (e.termId !== termId) return;
      text += e.data;
      if (re.test(text)) {
        clearTimeout(timer);
        off();
        resolve(text);
      }
    });
  });
}

describe('host terminal (real pty, real shell)', () => {
  it('opens in the session folder with the cross compiler set, and builds an ARM binary', async () => {
    const { bus, svc, workspace } = service();
    const t = await svc.open('s1', 100, 30);
    expect(t.cwd).toBe(path.join(workspace, 'sessions', 's1', 'host'));
    const seen = waitOutput(bus, t.termId, /@@done (\d+)/);
    fs.writeFileSync(path.join(t.cwd, 'hello.c'), '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n');
    svc.write(t.termId, 'pwd; echo "cc=$CC"; $CC $CFLAGS hello.c -o hello; echo "@@done $?"\r');
    const out = await seen;
    expect(out).toContain(t.cwd);
    expect(out).toContain('cc=arm-linux-gnueabi-gcc');
    expect(out).toMatch(/@@done 0/);
    expect(fs.readFileSync(path.join(t.cwd, 'hello')).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    // e_machine (offset 18) = 40: ARM
    expect(fs.readFileSync(path.join(t.cwd, 'hello')).readUInt16LE(18)).toBe(40);
    expect(svc.backlog(t.termId).data).toContain('@@done 0');
    svc.close(t.termId);
    expect(() => svc.write(t.termId, 'x')).toThrow(/no host terminal/);
  });

  it('reports the exit of its shell and refuses input afterwards', async () => {
    const { bus, svc } = service();
    const t = await svc.open('s2', 80, 24);
    const exited = new Promise((r) => bus.on('hostterm.exit', (e) => e.termId === t.termId && r(e)));
    svc.write(t.termId, 'exit 7\r');
    expect(await exited).toMatchObject({ exitCode: 7 });
    expect(() => svc.write(t.termId, 'ls\r')).toThrow(/has exited/);
    svc.close(t.termId);
  });
});
