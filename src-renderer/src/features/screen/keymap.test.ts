import { describe, expect, it } from 'vitest';
import { isLeaveChord, keyLabel, missingSummary, qkeyOf } from './keymap';

describe('qkeyOf', () => {
  it('maps letters, digits, F-keys and the numeric keypad by physical key', () => {
    expect(qkeyOf('KeyA')).toBe('a');
    expect(qkeyOf('KeyZ')).toBe('z');
    expect(qkeyOf('Digit0')).toBe('0');
    expect(qkeyOf('Digit9')).toBe('9');
    expect(qkeyOf('F1')).toBe('f1');
    expect(qkeyOf('F12')).toBe('f12');
    expect(qkeyOf('Numpad7')).toBe('kp_7');
  });

  it('maps the keys the mainstone keypad delivers to its QKeyCodes', () => {
    const pairs: [string, string][] = [
      ['Period', 'dot'], ['Slash', 'slash'], ['Home', 'home'], ['ShiftLeft', 'shift'], ['Space', 'spc'],
      ['Enter', 'ret'], ['Backspace', 'backspace'], ['ArrowUp', 'up'], ['ArrowDown', 'down'], ['ArrowLeft', 'left'], ['ArrowRight', 'right'],
    ];
    for (const [code, q] of pairs) expect(qkeyOf(code), code).toBe(q);
  });

  it('maps punctuation and modifiers with their left/right sides', () => {
    expect(qkeyOf('Minus')).toBe('minus');
    expect(qkeyOf('Quote')).toBe('apostrophe');
    expect(qkeyOf('Backquote')).toBe('grave_accent');
    expect(qkeyOf('ControlLeft')).toBe('ctrl');
    expect(qkeyOf('ControlRight')).toBe('ctrl_r');
    expect(qkeyOf('Escape')).toBe('esc');
    expect(qkeyOf('NumpadEnter')).toBe('kp_enter');
  });

  it('returns null for keys QEMU has no code for, and for non-codes', () => {
    expect(qkeyOf('F13')).toBeNull();
    expect(qkeyOf('F0')).toBeNull();
    expect(qkeyOf('Fn')).toBeNull();
    expect(qkeyOf('KeyAA')).toBeNull();
    expect(qkeyOf('')).toBeNull();
    expect(qkeyOf('toString')).toBeNull();
  });

  it('every mapped code is a valid QKeyCode for the contract', () => {
    const codes = ['KeyQ', 'Digit5', 'F7', 'Numpad0', 'Enter', 'ShiftRight', 'AltRight', 'IntlBackslash', 'PageDown', 'NumpadDecimal'];
    for (const c of codes) expect(qkeyOf(c)).toMatch(/^[a-z0-9_]{1,24}$/);
  });
});

describe('keyLabel / isLeaveChord / missingSummary', () => {
  it('labels keys for people', () => {
    expect(keyLabel('ret')).toBe('Enter');
    expect(keyLabel('1')).toBe('1');
    expect(keyLabel('a')).toBe('A');
    expect(keyLabel('f5')).toBe('F5');
    expect(keyLabel('kp_3')).toBe('Keypad 3');
  });

  it('leaves on Ctrl+Alt+G only, never on Esc', () => {
    expect(isLeaveChord({ code: 'KeyG', ctrlKey: true, altKey: true })).toBe(true);
    expect(isLeaveChord({ code: 'KeyG', ctrlKey: true, altKey: false })).toBe(false);
    expect(isLeaveChord({ code: 'Escape', ctrlKey: false, altKey: false })).toBe(false);
  });

  it('summarises what the keypad lacks, and nothing for a full keyboard', () => {
    const keypad = [...'abcdefghijklmnopqrstuvwxyz'.split(''), 'dot', 'slash', 'home', 'shift', 'spc', 'ret', 'backspace', 'up', 'down', 'left', 'right'];
    expect(missingSummary(keypad)).toBe("digits, - , = ; ', Esc, Tab, Ctrl, Alt, F-keys");
    const full = [...keypad, ...'0123456789'.split(''), 'minus', 'comma', 'equal', 'semicolon', 'apostrophe', 'esc', 'tab', 'ctrl', 'alt', ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`)];
    expect(missingSummary(full)).toBe('');
  });
});
