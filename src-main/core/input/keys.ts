/**
 * Which QEMU key codes (QKeyCode) each input device turns into guest key events. The keypad's
 * list is board data (BoardProfile.keypadKeys); QEMU's USB keyboard (hw/input/hid.c) has a HID
 * usage for every key of a PC keyboard, so its list is the same on every board.
 */
import type { InputDevice } from '../../../src-shared/features/recording';
import type { BoardProfile } from '../boards/profiles';

const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
const digits = '0123456789'.split('');

/** QKeyCodes with a HID usage in QEMU 7.2's usb-kbd (the keys of a 105-key PC keyboard). */
export const USB_KBD_KEYS: readonly string[] = [
  ...letters,
  ...digits,
  ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
  ...digits.map((d) => `kp_${d}`),
  'kp_divide', 'kp_multiply', 'kp_subtract', 'kp_add', 'kp_enter', 'kp_decimal', 'num_lock',
  'esc', 'tab', 'ret', 'spc', 'backspace', 'caps_lock', 'scroll_lock', 'print', 'pause', 'menu',
  'shift', 'shift_r', 'ctrl', 'ctrl_r', 'alt', 'alt_r', 'meta_l', 'meta_r',
  'minus', 'equal', 'bracket_left', 'bracket_right', 'backslash', 'semicolon', 'apostrophe',
  'grave_accent', 'comma', 'dot', 'slash', 'less',
  'insert', 'delete', 'home', 'end', 'pgup', 'pgdn', 'up', 'down', 'left', 'right',
];

export function deliverableKeys(board: BoardProfile, device: InputDevice): readonly string[] {
  return device === 'usb-kbd' ? USB_KBD_KEYS : board.keypadKeys;
}

/**
 * Shortest time between QEMU's answer to one key event and the next event sent to the same
 * session's device, ms. Both QEMU models keep less than the guest needs when events come back
 * to back (measured on mainstone, 26 keys tapped = 52 events, docs/input.md):
 * - keypad: QEMU's PXA27x model holds one matrix state and raises an IRQ; a state the guest's
 *   driver has not scanned yet is replaced by the next (no gap: 6–31 of 52 arrived; 1 ms: 52 on
 *   an idle host, but 4 ms lost 22 of 74 with the host at load 5 on 2 cores — the vCPU waits
 *   for a core). 15 ms: a human's key events are further apart than that anyway.
 * - usb-kbd: QEMU's HID queue hands the guest one event per USB poll (~10 ms) and drops what
 *   overflows its 16 slots (no gap: 24 of 52, 5 ms: 49, 10 ms: 52). 12 ms.
 */
export function minEventGapMs(device: InputDevice): number {
  return device === 'usb-kbd' ? 12 : 15;
}

/**
 * Linux input codes (linux/input-event-codes.h) of QEMU key codes, for matching what the guest
 * kernel reports on /dev/input with what was injected (replay reports).
 */
export const LINUX_KEY_CODES: Readonly<Record<string, number>> = {
  esc: 1, '1': 2, '2': 3, '3': 4, '4': 5, '5': 6, '6': 7, '7': 8, '8': 9, '9': 10, '0': 11, minus: 12, equal: 13, backspace: 14, tab: 15,
  q: 16, w: 17, e: 18, r: 19, t: 20, y: 21, u: 22, i: 23, o: 24, p: 25, bracket_left: 26, bracket_right: 27, ret: 28, ctrl: 29,
  a: 30, s: 31, d: 32, f: 33, g: 34, h: 35, j: 36, k: 37, l: 38, semicolon: 39, apostrophe: 40, grave_accent: 41, shift: 42, backslash: 43,
  z: 44, x: 45, c: 46, v: 47, b: 48, n: 49, m: 50, comma: 51, dot: 52, slash: 53, shift_r: 54, kp_multiply: 55, alt: 56, spc: 57, caps_lock: 58,
  f1: 59, f2: 60, f3: 61, f4: 62, f5: 63, f6: 64, f7: 65, f8: 66, f9: 67, f10: 68, f11: 87, f12: 88,
  ctrl_r: 97, alt_r: 100, home: 102, up: 103, pgup: 104, left: 105, right: 106, end: 107, down: 108, pgdn: 109, insert: 110, delete: 111,
};

/**
 * The arguments of one QMP input-send-event for one key press or release: one event per
 * command, so a press and its release never share a sync frame (the guest would see them at
 * the same instant). Used by the Guest input path and the replayer's own QMP connection.
 */
export function qmpKeyEvent(key: string, down: boolean): Record<string, unknown> {
  return { events: [{ type: 'key', data: { down, key: { type: 'qcode', data: key } } }] };
}

/**
 * QEMU's "number" key codes (QKeyCode `qnum`: XT scan code set 1, an 0xe0-prefixed key as
 * 0x80 | code) of each QKeyCode — what an RFB extended key event carries (vnc/rfb.ts). Read
 * from QEMU 7.2 itself: every number 1–255 sent as a QMP `number` key, the qcode its input
 * layer traced for it (the lowest number where two map to one qcode). keys.test.ts checks the
 * table against a running QEMU.
 */
export const QNUM_OF_QCODE: Readonly<Record<string, number>> = {
  esc: 0x01, '1': 0x02, '2': 0x03, '3': 0x04, '4': 0x05, '5': 0x06, '6': 0x07, '7': 0x08,
  '8': 0x09, '9': 0x0a, '0': 0x0b, minus: 0x0c, equal: 0x0d, backspace: 0x0e, tab: 0x0f, q: 0x10,
  w: 0x11, e: 0x12, r: 0x13, t: 0x14, y: 0x15, u: 0x16, i: 0x17, o: 0x18, p: 0x19,
  bracket_left: 0x1a, bracket_right: 0x1b, ret: 0x1c, ctrl: 0x1d, a: 0x1e, s: 0x1f, d: 0x20,
  f: 0x21, g: 0x22, h: 0x23, j: 0x24, k: 0x25, l: 0x26, semicolon: 0x27, apostrophe: 0x28,
  grave_accent: 0x29, shift: 0x2a, backslash: 0x2b, z: 0x2c, x: 0x2d, c: 0x2e, v: 0x2f, b: 0x30,
  n: 0x31, m: 0x32, comma: 0x33, dot: 0x34, slash: 0x35, shift_r: 0x36, kp_multiply: 0x37,
  alt: 0x38, spc: 0x39, caps_lock: 0x3a, f1: 0x3b, f2: 0x3c, f3: 0x3d, f4: 0x3e, f5: 0x3f,
  f6: 0x40, f7: 0x41, f8: 0x42, f9: 0x43, f10: 0x44, num_lock: 0x45, scroll_lock: 0x46, kp_7: 0x47,
  kp_8: 0x48, kp_9: 0x49, kp_subtract: 0x4a, kp_4: 0x4b, kp_5: 0x4c, kp_6: 0x4d, kp_add: 0x4e,
  kp_1: 0x4f, kp_2: 0x50, kp_3: 0x51, kp_0: 0x52, kp_decimal: 0x53, print: 0x54, less: 0x56,
  f11: 0x57, f12: 0x58, kp_equals: 0x59, lf: 0x5b, open: 0x64, paste: 0x65, katakanahiragana: 0x70,
  lang2: 0x71, lang1: 0x72, ro: 0x73, hiragana: 0x77, henkan: 0x79, muhenkan: 0x7b, yen: 0x7d,
  kp_comma: 0x7e, again: 0x85, props: 0x86, undo: 0x87, front: 0x8c, audioprev: 0x90,
  audionext: 0x99, kp_enter: 0x9c, ctrl_r: 0x9d, menu: 0x9e, audiomute: 0xa0, calculator: 0xa1,
  audioplay: 0xa2, audiostop: 0xa4, volumedown: 0xae, volumeup: 0xb0, ac_home: 0xb2,
  kp_divide: 0xb5, alt_r: 0xb8, cut: 0xbc, find: 0xc1, pause: 0xc6, home: 0xc7, up: 0xc8,
  pgup: 0xc9, left: 0xcb, right: 0xcd, end: 0xcf, down: 0xd0, pgdn: 0xd1, insert: 0xd2,
  delete: 0xd3, meta_l: 0xdb, meta_r: 0xdc, compose: 0xdd, power: 0xde, sleep: 0xdf, wake: 0xe3,
  ac_bookmarks: 0xe6, ac_refresh: 0xe7, stop: 0xe8, ac_forward: 0xe9, ac_back: 0xea,
  computer: 0xeb, mail: 0xec, mediaselect: 0xed, help: 0xf5, copy: 0xf8,
};
