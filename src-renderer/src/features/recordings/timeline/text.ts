/** Console text as the inspector edits it (escapes for control characters), and the key list. */

/** "ls\r" → "ls\\r": control characters as \r \n \t \e \xNN, backslash doubled. */
export function escapeConsole(data: string): string {
  let out = '';
  for (const ch of data) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c === 0x1b) out += '\\e';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** The inverse of escapeConsole; an unknown escape keeps its backslash. */
export function unescapeConsole(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[rnte\\])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ r: '\r', n: '\n', t: '\t', e: '\x1b', '\\': '\\' } as Record<string, string>)[e]!;
  });
}

/** The QKeyCode format rule of the recording schema. */
export const isQKeyCode = (k: string) => /^[a-z0-9_]{1,24}$/.test(k);

/** QEMU key codes offered by the key picker (any valid code can be typed). */
export const COMMON_KEYS: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyz'.split(''),
  ...'0123456789'.split(''),
  'ret', 'spc', 'backspace', 'tab', 'esc', 'shift', 'shift_r', 'ctrl', 'ctrl_r', 'alt', 'alt_r',
  'up', 'down', 'left', 'right', 'home', 'end', 'pgup', 'pgdn', 'insert', 'delete',
  'minus', 'equal', 'comma', 'dot', 'slash', 'semicolon', 'apostrophe', 'bracket_left', 'bracket_right', 'backslash', 'grave_accent',
  'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12',
  'kp_0', 'kp_1', 'kp_2', 'kp_3', 'kp_4', 'kp_5', 'kp_6', 'kp_7', 'kp_8', 'kp_9',
  'kp_enter', 'kp_add', 'kp_subtract', 'kp_multiply', 'kp_divide', 'kp_decimal',
];

/** Keys matching a filter: exact first, then prefix, then containing. */
export function matchKeys(filter: string, keys: readonly string[] = COMMON_KEYS): string[] {
  const f = filter.trim().toLowerCase();
  if (!f) return [...keys];
  const exact = keys.filter((k) => k === f);
  const prefix = keys.filter((k) => k !== f && k.startsWith(f));
  const inside = keys.filter((k) => !k.startsWith(f) && k.includes(f));
  return [...exact, ...prefix, ...inside];
}
