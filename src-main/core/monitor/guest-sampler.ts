/**
 * The agent's resource sampler as a GuestSampler (./guest-sample.ts): MON_START on the given
 * channel, its STREAM kind-4 records through SampleAssembler (./sample-codec.ts) to
 * `onSample`, MON_CONFIG / MON_STOP, and `ended` when the stream is over for any reason.
 *
 * A record that does not decode, or does not fit the state (the stream is out of step), ends
 * the sampler with that error: every later delta would apply to a wrong base, so the caller
 * opens a new stream (whose first sample is a full state) instead.
 */
import { AgentError, Op, StreamKind, type AgentChannel } from '../agent/client';
import type { GuestSample, GuestSampler, GuestSamplerInfo } from './guest-sample';
import { SampleAssembler } from './sample-codec';

export interface GuestSamplerOptions {
  intervalMs: number;
  procEvery: number;
  /** Samples per STREAM frame (1…50, default 1): fewer frames and ACKs cost the guest less
   * (every agent wake-up is ~0.5 ms of its CPU), at batch × intervalMs of latency. */
  batch?: number;
  onSample(s: GuestSample): void;
  onError?(e: Error): void;
}

const num = (b: Buffer | undefined): number => {
  const s = b?.toString('latin1') ?? '';
  return /^\d+$/.test(s) ? Number(s) : NaN;
};

export async function openGuestSampler(channel: AgentChannel, o: GuestSamplerOptions): Promise<GuestSampler> {
  const asm = new SampleAssembler();
  let over = false;
  let resolveEnded!: (e: { reason: string }) => void;
  const ended = new Promise<{ reason: string }>((r) => (resolveEnded = r));
  let requestId = 0;
  let stopping: Promise<void> | null = null;

  const end = (reason: string) => {
    if (over) return;
    over = true;
    resolveEnded({ reason });
  };
  const broken = (message: string) => {
    if (over) return;
    const err = new AgentError(`monitor stream: ${message}`, 'protocol');
    // Stop routing the stream and ask the agent to end it; the stream is useless now.
    channel.client.forget(requestId);
    channel.request(Op.MON_STOP, [], { timeoutMs: 5000 }).catch(() => undefined);
    o.onError?.(err);
    end(err.message);
  };

  const sink = {
    data: (kind: number, data: Buffer) => {
      if (over || kind !== StreamKind.MONITOR) return;
      const r = asm.push(data);
      if (!r.ok) return broken(r.error.message);
      for (const s of r.samples) {
        try {
          o.onSample(s);
        } catch (err) {
          o.onError?.(err as Error);
        }
      }
    },
    end: (f: Buffer[]) => end(`stopped after ${num(f[0])} samples (${num(f[1])} ticks skipped)`),
    error: (err: Error) => {
      if (over) return;
      o.onError?.(err);
      end(err.message);
    },
  };

  const ch = await channel.channelId();
  const rates = (intervalMs: number, procEvery: number, batch?: number) => (batch === undefined ? [intervalMs, procEvery] : [intervalMs, procEvery, batch]);
  const f = await channel.client.request(ch, Op.MON_START, rates(o.intervalMs, o.procEvery, o.batch), { sink, onId: (id) => (requestId = id) });
  const info: GuestSamplerInfo = { clkTck: num(f[0]), pageSize: num(f[1]), monoUs: num(f[2]) };
  if (![info.clkTck, info.pageSize, info.monoUs].every((x) => Number.isFinite(x) && x > 0)) {
    broken(`MON_START answered [${f.map((b) => b.toString('latin1')).join(', ')}]`);
    throw new AgentError('MON_START: malformed answer', 'protocol');
  }

  return {
    info,
    ended,
    async configure(intervalMs: number, procEvery: number, batch?: number) {
      if (over) throw new AgentError('monitor stream has ended', 'closed');
      await channel.request(Op.MON_CONFIG, rates(intervalMs, procEvery, batch ?? o.batch));
    },
    stop() {
      stopping ??= (async () => {
        if (over) return;
        try {
          await channel.request(Op.MON_STOP, [], { timeoutMs: 5000 });
        } catch (err) {
          // The link went away (its reset ended the stream too) or the stream is gone already.
          end(`stop: ${(err as Error).message}`);
        }
        // STREAM_END precedes the RESP (spec), so `ended` has resolved by now on success.
      })();
      return stopping;
    },
  };
}
