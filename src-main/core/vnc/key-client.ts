/**
 * A VNC client that only types: connects to QEMU's VNC server on the session's private unix
 * socket, shares the display (other clients stay), negotiates QEMU's extended key events and
 * then sends key events by scan code. It never asks for framebuffer updates, so QEMU sends it
 * none and encodes nothing for it. Protocol subset: docs/rfb.md, codec ./rfb.ts.
 */
import net from 'node:net';
import { BenchtopError } from '../../../src-shared/errors';
import { ENCODING_QEMU_EXTENDED_KEY_EVENT, RfbClientDecoder, SECURITY_NONE, clientInit, clientVersion, qemuExtendedKeyEvent, securityChoice, setEncodings, type RfbServerItem } from './rfb';

export class RfbKeyClient {
  private constructor(private readonly socket: net.Socket) {}

  static async connect(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<RfbKeyClient> {
    const socket = net.createConnection({ path: socketPath });
    const decoder = new RfbClientDecoder();
    const timeoutMs = opts.timeoutMs ?? 3000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new BenchtopError('timeout', `VNC ${socketPath}: no extended-key acknowledgement within ${timeoutMs} ms`)), timeoutMs);
        const fail = (e: Error) => {
          clearTimeout(timer);
          reject(e);
        };
        socket.once('error', (e) => fail(new BenchtopError('internal', `VNC ${socketPath}: ${e.message}`)));
        socket.once('close', () => fail(new BenchtopError('internal', `VNC ${socketPath}: the server closed the connection during the handshake`)));
        socket.on('data', (chunk) => {
          for (const item of decoder.push(chunk)) {
            const step = handshakeStep(item);
            if (step instanceof Error) return fail(step);
            if (step === 'ready') {
              clearTimeout(timer);
              socket.removeAllListeners('close');
              socket.removeAllListeners('error');
              return resolve();
            }
            if (step) socket.write(step);
          }
        });
      });
    } catch (e) {
      socket.destroy();
      throw e;
    }
    // From here QEMU sends nothing we asked for; keep reading so its socket buffer never fills.
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    return new RfbKeyClient(socket);
  }

  get isOpen(): boolean {
    return !this.socket.destroyed;
  }

  /** One key press or release by scan code (input/keys.ts QNUM_OF_QCODE). */
  key(qnum: number, down: boolean): void {
    if (this.socket.destroyed) throw new BenchtopError('invalid-state', 'the VNC key connection is closed');
    this.socket.write(qemuExtendedKeyEvent(down, qnum));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** What the client answers to each step of the server's handshake; 'ready' at the ack. */
export function handshakeStep(item: RfbServerItem): Buffer | 'ready' | Error | null {
  switch (item.kind) {
    case 'version':
      return item.major === 3 && item.minor >= 8 ? clientVersion() : new BenchtopError('internal', `VNC server speaks RFB ${item.major}.${item.minor}, not 3.8`);
    case 'security-types':
      // The socket is in the session's private folder: QEMU's VNC has no password (None).
      return item.types.includes(SECURITY_NONE) ? securityChoice(SECURITY_NONE) : new BenchtopError('internal', `VNC server wants authentication (types ${item.types.join(', ')})`);
    case 'security-result':
      return clientInit(true);
    case 'server-init':
      return setEncodings([ENCODING_QEMU_EXTENDED_KEY_EVENT]);
    case 'framebuffer-update':
      // QEMU answers SetEncodings with a rectangle of the pseudo-encoding: it takes extended keys.
      return item.rects.some((r) => r.encoding === ENCODING_QEMU_EXTENDED_KEY_EVENT) ? 'ready' : null;
    case 'failed':
      return new BenchtopError('internal', `VNC handshake: ${item.reason}`);
    default:
      return null;
  }
}
