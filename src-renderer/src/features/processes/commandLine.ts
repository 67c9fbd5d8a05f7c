/** A command line as typed in "Run…" → argv (POSIX shell quoting, no expansion). Pure. */

export type Parsed = { ok: true; argv: string[] } | { ok: false; error: string };

/**
 * Splits on unquoted whitespace; '…' keeps everything literally, "…" keeps everything but
 * `\"`, `\\`, `\$` and `` \` ``; a backslash outside quotes escapes the next character. No
 * variables, globs or operators: what is typed is what runs (wrap it in `sh -c '…'` for those).
 */
export function parseCommandLine(line: string): Parsed {
  const argv: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) argv.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: 'unterminated single quote' };
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      if (!closed) return { ok: false, error: 'unterminated double quote' };
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { ok: false, error: 'a backslash at the end of the line' };
      cur += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(cur);
  if (argv.length === 0) return { ok: false, error: 'type a program to run, e.g. /bin/ls -l /' };
  return { ok: true, argv };
}

/** argv → a line that parses back to the same argv (for display and "run again"). */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

export function quoteArg(a: string): string {
  if (a === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a)) return a;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}
