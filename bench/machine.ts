/** What a benchmark ran on, written into every result file (timings only compare within one machine). */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function machineInfo() {
  let qemu = 'unknown';
  try {
    qemu = execFileSync('qemu-system-arm', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? qemu;
  } catch {
    /* reported as unknown */
  }
  return {
    hostname: os.hostname(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    qemu,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}
