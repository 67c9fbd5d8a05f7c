import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaveChordGate, isLeaveChord, keyLabel, missingSummary, qkeyOf } from './keymap';

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

describe('LeaveChordGate', () => {
  it('never sends the leave chord’s Ctrl and Alt to the guest', () => {
    const g = new LeaveChordGate();
    expect(g.down('ctrl', false)).toEqual([]);
    expect(g.down('alt', false)).toEqual([]);
    expect(g.down('g', true)).toBe('leave');
    expect(g.up('g')).toEqual([{ key: 'g', down: false }]); // its press never went: the pane drops this release
  });

  it('sends a held-back modifier before the next key, in order, and a lone modifier as a tap', () => {
    const g = new LeaveChordGate();
    expect(g.down('ctrl', false)).toEqual([]);
    expect(g.down('c', false)).toEqual([{ key: 'ctrl', down: true }, { key: 'c', down: true }]);
    expect(g.up('c')).toEqual([{ key: 'c', down: false }]);
    expect(g.up('ctrl')).toEqual([{ key: 'ctrl', down: false }]);
    expect(g.down('alt_r', false)).toEqual([]);
    expect(g.up('alt_r')).toEqual([{ key: 'alt_r', down: true }, { key: 'alt_r', down: false }]);
    expect(g.down('shift', false)).toEqual([{ key: 'shift', down: true }]); // not a chord modifier
  });

  it('keeps every press paired with one release over any key sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.constantFrom('ctrl', 'alt', 'ctrl_r', 'a', 'g', 'shift'), down: fc.boolean() }), { maxLength: 40 }), (seq) => {
        const g = new LeaveChordGate();
        const down = new Set<string>();
        const sent: { key: string; down: boolean }[] = [];
        for (const e of seq) {
          if (e.down === down.has(e.key)) continue; // a browser never repeats a press without release here
          if (e.down) down.add(e.key);
          else down.delete(e.key);
          const out = e.down ? g.down(e.key, false) : g.up(e.key);
          if (out !== 'leave') sent.push(...out);
        }
        // The guest's view: every release it gets follows a press of the same key.
        const guest = new Set<string>();
        for (const s of sent) {
          if (s.down) guest.add(s.key);
          else expect(guest.delete(s.key)).toBe(true);
        }
      }),
    );
  });
});
