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
