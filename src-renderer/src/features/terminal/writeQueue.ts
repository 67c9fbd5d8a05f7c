/**
 * Keystrokes to the guest, in order and without one round trip per key: while a write is in
 * flight, further input is collected and sent as one write when it returns.
 */
export const MAX_WRITE_CHARS = 65536; // the contract's limit for console.write

export class WriteQueue {
  private buffer = '';
  private sending = false;

  constructor(
    private readonly send: (data: string) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly maxChars = MAX_WRITE_CHARS,
  ) {}

  get idle(): boolean {
    return !this.sending && this.buffer === '';
  }

  push(data: string): void {
    if (!data) return;
    this.buffer += data;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.buffer) {
        let n = Math.min(this.buffer.length, this.maxChars);
        // never split a surrogate pair
        if (n < this.buffer.length && isHighSurrogate(this.buffer.charCodeAt(n - 1))) n--;
        const chunk = this.buffer.slice(0, n);
        this.buffer = this.buffer.slice(n);
        try {
          await this.send(chunk);
        } catch (err) {
          // What was typed after a failed write would arrive out of context: drop it.
          this.buffer = '';
          this.onError(err);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
