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
