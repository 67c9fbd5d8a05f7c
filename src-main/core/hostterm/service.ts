/**
 * Host terminals: a real shell on the host (node-pty) for each session that wants one, opened
 * in the session's folder with the cross toolchain's variables set, so `$CC hello.c -o hello`
 * builds an ARM binary that "Run on target" can push to the guest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IPty } from 'node-pty';
import { BenchtopError } from '../../../src-shared/errors';
import type { HostTerminalInfo } from '../../../src-shared/features/hostterm';
import type { BoardProfile } from '../boards/profiles';
import type { EventBus } from '../events';
import { findOnPath } from '../util/host-tools';

const BACKLOG_CHARS = 256 * 1024;

interface Term {
  info: HostTerminalInfo;
  pty: IPty;
  backlog: string;
  printed: number;
}

export class HostTerminalService {
  private readonly terms = new Map<string, Term>();

  constructor(private readonly deps: { bus: EventBus; workspace: string; boardOf: (sessionId: string) => BoardProfile }) {}

  /** The host folder of a session: where its terminal opens and its builds land. */
  folder(sessionId: string): string {
    const dir = path.join(this.deps.workspace, 'sessions', sessionId, 'host');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  async open(sessionId: string, cols: number, rows: number): Promise<HostTerminalInfo> {
    const board = this.deps.boardOf(sessionId);
    const { spawn } = await import('node-pty'); // native module: loaded only when a terminal opens
    const shell = process.env.SHELL && findOnPath(process.env.SHELL) ? process.env.SHELL : (findOnPath('bash') ?? '/bin/sh');
    const cwd = this.folder(sessionId);
    const cross = board.image.crossCompile;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      TERM: 'xterm-256color',
      ARCH: board.image.arch,
      CROSS_COMPILE: cross,
      CC: `${cross}gcc`,
      // Static binaries run on the guest's busybox userland without its libraries.
      CFLAGS: '-static -O2 -s',
      BENCHTOP_SESSION: sessionId,
    };
    if (!findOnPath(`${cross}gcc`, env.PATH)) {
      env.BENCHTOP_NOTE = `${cross}gcc is not on PATH: apt-get install gcc-arm-linux-gnueabi`;
    }
    const pty = spawn(shell, [], { name: 'xterm-256color', cols, rows, cwd, env });
    const termId = `t${crypto.randomBytes(4).toString('hex')}`;
    const term: Term = { info: { termId, sessionId, cwd, shell, pid: pty.pid, exited: false }, pty, backlog: '', printed: 0 };
    this.terms.set(termId, term);
    pty.onData((data) => {
      const offset = term.printed;
      term.printed += data.length;
      term.backlog = (term.backlog + data).slice(-BACKLOG_CHARS);
      this.deps.bus.emit('hostterm.output', { termId, data, offset });
    });
    pty.onExit(({ exitCode, signal }) => {
      term.info.exited = true;
      this.deps.bus.emit('hostterm.exit', { termId, exitCode, signal: signal ?? null });
    });
    return { ...term.info };
  }

  list(sessionId: string): HostTerminalInfo[] {
    return [...this.terms.values()].filter((t) => t.info.sessionId === sessionId).map((t) => ({ ...t.info }));
  }

  write(termId: string, data: string): void {
    const t = this.get(termId);
    if (t.info.exited) throw new BenchtopError('invalid-state', 'this host terminal has exited; open a new one');
    t.pty.write(data);
  }

  resize(termId: string, cols: number, rows: number): void {
    const t = this.get(termId);
    if (!t.info.exited) t.pty.resize(cols, rows);
  }

  backlog(termId: string): { data: string; totalChars: number } {
    const t = this.get(termId);
    return { data: t.backlog, totalChars: t.printed };
  }

  close(termId: string): void {
    const t = this.get(termId);
    if (!t.info.exited) t.pty.kill();
    this.terms.delete(termId);
  }

  closeAll(): void {
    for (const id of [...this.terms.keys()]) this.close(id);
  }

  private get(termId: string): Term {
    const t = this.terms.get(termId);
    if (!t) throw new BenchtopError('not-found', `no host terminal ${termId}`);
    return t;
  }
}
