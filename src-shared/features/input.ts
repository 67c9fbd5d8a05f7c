/**
 * Contract entries of guest input and the Screen pane: keys injected into the VM's own input
 * device (the board's keypad, or a USB keyboard when the session asks for one) through QMP,
 * and grabs of the board's LCD (QMP screendump, PNG). Spread into ../contract.ts; implemented
 * by src-main/core/input/api.ts. docs/input.md says what each device really delivers.
 */
import { z } from 'zod';
import { InputDevice, QKeyCode } from './recording';

const SessionRef = z.string().regex(/^[a-z0-9-]{1,64}$/, 'session id: lower-case letters, digits and dashes');

export const ScreenFrame = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** The LCD as a PNG file, base64. */
  base64: z.string(),
  /** Host ms (epoch) when QEMU answered the screendump. */
  at: z.number(),
});
export type ScreenFrame = z.infer<typeof ScreenFrame>;

export const inputMethods = {
  /**
   * One key press or release, sent as its own QMP input-send-event (a press and its release
   * in one sync frame would reach the guest as the same instant). Keys the session's device
   * cannot deliver are still sent (QEMU decides) and answer `deliverable: false`.
   */
  'input.key': {
    input: z.object({ id: SessionRef, key: QKeyCode, down: z.boolean() }),
    output: z.object({ ok: z.literal(true), deliverable: z.boolean() }),
  },
  /** The session's input device and the keys it can deliver to the guest. */
  'input.keys': {
    input: z.object({ id: SessionRef }),
    output: z.object({ device: InputDevice, deliverable: z.array(QKeyCode) }),
  },
  /** The board's LCD now (running or paused session). */
  'screen.grab': { input: z.object({ id: SessionRef }), output: ScreenFrame },
} as const;
