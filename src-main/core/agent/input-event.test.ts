import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInputEvent, parseInputEvent, type InputEvent } from './input-event';

describe('parseInputEvent', () => {
  it('reads the agent text (a keypad press of KEY_A)', () => {
    expect(parseInputEvent('dev=event0 name=pxa27x-keypad code=30 value=1 t=5000250')).toEqual({ dev: 'event0', name: 'pxa27x-keypad', code: 30, value: 1, tUs: 5000250 });
  });

  it('keeps blanks and look-alike fields inside the device name', () => {
    expect(parseInputEvent('dev=event1 name=QEMU QEMU USB Keyboard code=2 value=0 t=1')).toMatchObject({ name: 'QEMU QEMU USB Keyboard', code: 2, value: 0 });
    expect(parseInputEvent('dev=event2 name=x code=9 value=1 t=5 code=7 value=2 t=8')).toMatchObject({ name: 'x code=9 value=1 t=5', code: 7, value: 2, tUs: 8 });
  });

  it('rejects what is not an input event', () => {
    for (const t of [
      '',
      'phase=2 start',
      'dev=event0 name=k code=30 value=3 t=1', // value is 0, 1 or 2
      'dev=event0 name=k code=30 value=1 t=', // no time
      'dev=event0 name=k code=-1 value=1 t=5',
      'dev=mouse0 name=k code=30 value=1 t=5',
      'dev=event0 name=k code=70000 value=1 t=5', // codes are u16
      'dev=event0 name=k code=30 value=1 t=99999999999999999', // beyond 2^53
      'dev=event0 name=k code=30 value=1 t=5 ',
    ]) {
      expect(parseInputEvent(t), t).toBeNull();
    }
  });

  const arbEvent: fc.Arbitrary<InputEvent> = fc.record({
    dev: fc.nat(63).map((n) => `event${n}`),
    // EVIOCGNAME names as the agent sends them: control bytes already replaced.
    name: fc.string({ unit: fc.constantFrom(...'abcXYZ 09-_()=/:.?'.split('')), minLength: 1, maxLength: 40 }),
    code: fc.nat(0xffff),
    value: fc.constantFrom(0 as const, 1 as const, 2 as const),
    tUs: fc.nat(Number.MAX_SAFE_INTEGER),
  });

  it('property: format then parse gives the event back', () => {
    fc.assert(fc.property(arbEvent, (e) => {
        expect(parseInputEvent(formatInputEvent(e))).toEqual(e);
      }), { numRuns: 2000 });
  });

  it('property: any text either parses to an event that formats back to it, or is null', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), arbEvent.map(formatInputEvent).chain((s) => fc.nat(s.length).map((cut) => s.slice(0, cut)))), (t) => {
        const e = parseInputEvent(t);
        if (e) expect(formatInputEvent(e)).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });
});
