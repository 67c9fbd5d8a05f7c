/**
 * The text of the agent's `input` EVENTs (docs/agent-protocol.md, INPUT_WATCH):
 *
 *   dev=event0 name=pxa27x-keypad code=30 value=1 t=123456789
 *
 * `t` is the guest kernel's evdev timestamp in µs of CLOCK_MONOTONIC (the clock of the
 * monitor's samples). The device name may contain blanks (`QEMU QEMU USB Keyboard`), so the
 * fields after it are matched from the end of the text.
 */

export interface InputEvent {
  /** The evdev node, e.g. `event0`. */
  dev: string;
  /** The device's kernel name (EVIOCGNAME), `?` if it has none. */
  name: string;
  /** Linux key code (linux/input-event-codes.h: KEY_A = 30). */
  code: number;
  /** 0 release, 1 press, 2 autorepeat. */
  value: 0 | 1 | 2;
  /** Guest CLOCK_MONOTONIC, µs. */
  tUs: number;
}

const RE = /^dev=(event\d+) name=(.*) code=(\d{1,5}) value=([012]) t=(\d{1,16})$/s;

/** Parse an `input` EVENT's text; null if it is not one (a newer agent's format, garbage). */
export function parseInputEvent(text: string): InputEvent | null {
  const m = RE.exec(text);
  if (!m) return null;
  const tUs = Number(m[5]);
  const code = Number(m[3]);
  if (!Number.isSafeInteger(tUs) || code > 0xffff) return null;
  return { dev: m[1]!, name: m[2]!, code, value: Number(m[4]) as 0 | 1 | 2, tUs };
}

/** The agent's format (tests, fakes). */
export function formatInputEvent(e: InputEvent): string {
  return `dev=${e.dev} name=${e.name} code=${e.code} value=${e.value} t=${e.tUs}`;
}
