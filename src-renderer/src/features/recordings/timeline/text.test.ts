import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeConsole, isQKeyCode, matchKeys, unescapeConsole } from './text';

describe('console text escapes', () => {
  it('shows control characters as escapes', () => {
    expect(escapeConsole('ls -l\r')).toBe('ls -l\\r');
    expect(escapeConsole('\x1b[A\x03\\')).toBe('\\e[A\\x03\\\\');
    expect(unescapeConsole('echo hi\\n\\x04')).toBe('echo hi\n\x04');
    expect(unescapeConsole('a\\qb')).toBe('a\\qb');
  });

  it('unescape(escape(s)) = s for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(unescapeConsole(escapeConsole(s))).toBe(s);
      }));
  });
});

describe('key picker', () => {
  it('ranks exact, prefix, then containing matches', () => {
    expect(matchKeys('kp_1').slice(0, 1)).toEqual(['kp_1']);
    expect(matchKeys('re')[0]).toBe('ret');
    expect(matchKeys('enter')).toEqual(['kp_enter']);
    expect(isQKeyCode('kp_1')).toBe(true);
    expect(isQKeyCode('Enter')).toBe(false);
  });
});
