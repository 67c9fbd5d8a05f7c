/**
 * Running host programs for the image builder: argument arrays only (never a shell string),
 * output streamed line by line, the whole process group killed on abort.
 */
import { spawn } from 'node:child_process';
import { BenchtopError } from '../../../src-shared/errors';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each complete line of stdout and stderr (without the newline). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keep this many trailing lines for the error message (default 30). */
  tailLines?: number;
  /** Collect stdout into the result (default true; turn off for chatty commands). */
  collectStdout?: boolean;
}

export interface RunResult {
  stdout: string;
  tail: string[];
}

export function abortError(): BenchtopError {
  return new BenchtopError('internal', 'image build aborted');
}

/** Run `cmd args…`; resolve on exit code 0, reject with the last lines of output otherwise. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const tailMax = opts.tailLines ?? 30;
  const collect = opts.collectStdout ?? true;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortError());
      return;
    }
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so an abort can stop `make -jN` and every compiler under it.
      detached: true,
    });
    const tail: string[] = [];
    let stdout = '';
    const partial = { stdout: '', stderr: '' };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stream === 'stdout' && collect) stdout += text;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) emit(line, stream);
    };
    const emit = (line: string, stream: 'stdout' | 'stderr') => {
      tail.push(line);
      if (tail.length > tailMax) tail.shift();
      opts.onLine?.(line, stream);
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));

    const kill = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    opts.signal?.addEventListener('abort', kill, { once: true });

    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', kill);
      if (err.code === 'ENOENT') reject(new BenchtopError('missing-tool', `'${cmd}' is not on PATH`));
      else reject(err);
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', kill);
      for (const s of ['stdout', 'stderr'] as const) if (partial[s]) emit(partial[s], s);
      if (opts.signal?.aborted) {
        reject(abortError());
      } else if (code === 0) {
        resolve({ stdout, tail });
      } else {
        const how = code !== null ? `exit code ${code}` : `signal ${sig}`;
        reject(
          new BenchtopError('internal', `${[cmd, ...args].join(' ')} failed (${how}):\n${tail.join('\n')}`),
        );
      }
    });
  });
}
