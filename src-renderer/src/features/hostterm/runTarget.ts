/** Which host file "Run on target" pushes, and where it lands in the guest. Pure. */
import { baseName, normalizePath } from '../files/paths';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const COMPILER = /\$\{?CC\}?|(?:^|[\s;&|/])(?:[\w.]+-)*(?:gcc|g\+\+|clang|cc|c\+\+|ld)(?:-[\d.]+)?(?=\s)/;
const OUTPUT = /(?:^|[\s;&|])-o\s*(?:'([^']+)'|"([^"]+)"|([^\s;&|'"<>]+))/g;

/**
 * The binary the user last built in the host terminal: the `-o FILE` of the last compiler
 * command line its output shows (the echo of what was typed), resolved against the shell's
 * folder. null when none is seen.
 */
export function guessBuiltBinary(terminalText: string, cwd: string): string | null {
  const lines = terminalText.replace(ANSI, '').split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!COMPILER.test(line)) continue;
    let last: string | null = null;
    for (const m of line.matchAll(OUTPUT)) last = m[1] ?? m[2] ?? m[3] ?? null;
    if (last && !last.startsWith('$') && !last.startsWith('-')) return normalizePath(last, cwd);
  }
  return null;
}

/** Where a host binary goes in the guest: /tmp/<its name>. */
export function guestPathFor(hostPath: string): string {
  return `/tmp/${baseName(hostPath.replace(/\\/g, '/'))}`;
}

export function isAbsoluteHostPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}
