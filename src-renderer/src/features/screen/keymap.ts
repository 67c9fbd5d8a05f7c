/**
 * Browser keys → QEMU key codes (QKeyCode). KeyboardEvent.code names the physical key, not
 * the character, which is what a scancode-level device (keypad matrix, USB HID) reports: the
 * guest applies its own keymap and Shift, like a keyboard plugged into the board would.
 */
const FIXED: Record<string, string> = {
  Enter: 'ret', NumpadEnter: 'kp_enter', Space: 'spc', Backspace: 'backspace', Tab: 'tab', Escape: 'esc',
  ShiftLeft: 'shift', ShiftRight: 'shift_r', ControlLeft: 'ctrl', ControlRight: 'ctrl_r',
  AltLeft: 'alt', AltRight: 'alt_r', MetaLeft: 'meta_l', MetaRight: 'meta_r', ContextMenu: 'menu',
  CapsLock: 'caps_lock', NumLock: 'num_lock', ScrollLock: 'scroll_lock', PrintScreen: 'print', Pause: 'pause',
  Minus: 'minus', Equal: 'equal', BracketLeft: 'bracket_left', BracketRight: 'bracket_right', Backslash: 'backslash',
  Semicolon: 'semicolon', Quote: 'apostrophe', Backquote: 'grave_accent', Comma: 'comma', Period: 'dot', Slash: 'slash',
  IntlBackslash: 'less',
  ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right',
  Home: 'home', End: 'end', PageUp: 'pgup', PageDown: 'pgdn', Insert: 'insert', Delete: 'delete',
  NumpadDivide: 'kp_divide', NumpadMultiply: 'kp_multiply', NumpadSubtract: 'kp_subtract', NumpadAdd: 'kp_add',
  NumpadDecimal: 'kp_decimal',
};

/** The QKeyCode of a KeyboardEvent.code, or null for a key QEMU has no code for. */
export function qkeyOf(code: string): string | null {
  if (Object.prototype.hasOwnProperty.call(FIXED, code)) return FIXED[code]!;
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return m[1]!.toLowerCase();
  m = /^Digit([0-9])$/.exec(code);
  if (m) return m[1]!;
  m = /^Numpad([0-9])$/.exec(code);
  if (m) return `kp_${m[1]}`;
  m = /^F([1-9]|1[0-2])$/.exec(code);
  if (m) return `f${m[1]}`;
  return null;
}

/** A short label for a QKeyCode, for the legend and the "not delivered" flash. */
export function keyLabel(qkey: string): string {
  const names: Record<string, string> = {
    ret: 'Enter', spc: 'Space', backspace: 'Backspace', esc: 'Esc', tab: 'Tab', shift: 'Shift', shift_r: 'Right Shift',
    ctrl: 'Ctrl', ctrl_r: 'Right Ctrl', alt: 'Alt', alt_r: 'AltGr', dot: '.', slash: '/', minus: '-', comma: ',',
    equal: '=', up: '↑', down: '↓', left: '←', right: '→', home: 'Home', end: 'End', pgup: 'PgUp', pgdn: 'PgDn',
    delete: 'Del', insert: 'Ins', semicolon: ';', apostrophe: "'", grave_accent: '`', backslash: '\\',
    bracket_left: '[', bracket_right: ']', caps_lock: 'Caps Lock', meta_l: 'Meta', meta_r: 'Meta',
  };
  if (names[qkey]) return names[qkey];
  if (/^f\d+$/.test(qkey)) return qkey.toUpperCase();
  if (qkey.startsWith('kp_')) return `Keypad ${qkey.slice(3)}`;
  return qkey.length === 1 ? qkey.toUpperCase() : qkey;
}

/**
 * The leave gesture of Guest input mode: Ctrl+Alt+G (QEMU's own release-grab chord). Not Esc:
 * Esc is a key users send to the guest.
 */
export function isLeaveChord(e: { code: string; ctrlKey: boolean; altKey: boolean }): boolean {
  return e.code === 'KeyG' && e.ctrlKey && e.altKey;
}

/**
 * One line for the legend: what the device does not deliver, grouped (the keypad has no
 * digits, so "digits" reads better than "0 1 2 3 4 5 6 7 8 9").
 */
export function missingSummary(deliverable: readonly string[]): string {
  const have = new Set(deliverable);
  const groups: [string, string[]][] = [
    ['digits', '0123456789'.split('')],
    ['- , = ; \'', ['minus', 'comma', 'equal', 'semicolon', 'apostrophe']],
    ['Esc', ['esc']],
    ['Tab', ['tab']],
    ['Ctrl', ['ctrl']],
    ['Alt', ['alt']],
    ['F-keys', Array.from({ length: 12 }, (_, i) => `f${i + 1}`)],
  ];
  return groups.filter(([, keys]) => keys.some((k) => !have.has(k))).map(([label]) => label).join(', ');
}

/** The modifiers of the leave chord: held back until it is clear the chord is not coming. */
const CHORD_MODIFIERS = new Set(['ctrl', 'ctrl_r', 'alt', 'alt_r']);

export type GuestKeyEvent = { key: string; down: boolean };

/**
 * Keeps the leave chord (Ctrl+Alt+G) out of the guest — and so out of a recording. A Ctrl or
 * Alt press is held back until the next key: the chord's G drops it unsent; any other key sends
 * it first, then itself; its own release sends it as a tap. The cost: a guest sees Ctrl/Alt go
 * down when the next key does, not when the user pressed it (the order is kept).
 */
export class LeaveChordGate {
  private pending: string[] = [];

  /** A press: the events to send now, in order, or 'leave' for the leave chord. */
  down(key: string, leaveChord: boolean): GuestKeyEvent[] | 'leave' {
    if (leaveChord) {
      this.pending = [];
      return 'leave';
    }
    if (CHORD_MODIFIERS.has(key)) {
      if (!this.pending.includes(key)) this.pending.push(key);
      return [];
    }
    return [...this.flush(), { key, down: true }];
  }

  /** A release: the events to send now, in order. */
  up(key: string): GuestKeyEvent[] {
    if (!this.pending.includes(key)) return [{ key, down: false }];
    return [...this.flush(), { key, down: false }];
  }

  reset(): void {
    this.pending = [];
  }

  private flush(): GuestKeyEvent[] {
    const out = this.pending.map((key) => ({ key, down: true }));
    this.pending = [];
    return out;
  }
}
