/** The replay report's table rows and figures, from the contract's µs to what the dialog shows. Pure. */
import type { ReplayReport } from './recordingsApi';

/** |injected − scheduled| above this is highlighted. */
export const LATE_US = 2000;

export interface ReportRow {
  eventId: string;
  kind: string;
  label: string;
  scheduledMs: string;
  injectedMs: string;
  guestMs: string;
  errorMs: string;
  /** Injected more than 2 ms off schedule (or not injected at all). */
  late: boolean;
  missed: boolean;
}

const ms = (us: number | null) => (us === null ? '—' : (us / 1000).toFixed(2));

export function reportRows(report: ReplayReport): ReportRow[] {
  return report.events.map((e) => {
    const err = e.injectedUs === null ? null : e.injectedUs - e.scheduledUs;
    const replayed = e.kind !== 'marker';
    return {
      eventId: e.eventId,
      kind: e.kind,
      label: e.label,
      scheduledMs: ms(e.scheduledUs),
      injectedMs: ms(e.injectedUs),
      guestMs: ms(e.guestUs),
      errorMs: err === null ? '—' : `${err >= 0 ? '+' : '−'}${(Math.abs(err) / 1000).toFixed(2)}`,
      late: err !== null && Math.abs(err) > LATE_US,
      missed: replayed && err === null,
    };
  });
}

export function statFigures(report: ReplayReport): { key: string; label: string; value: string; title: string }[] {
  const s = report.stats;
  const f = (us: number | null) => (us === null ? '—' : `${(us / 1000).toFixed(2)} ms`);
  return [
    { key: 'inject-p50', label: 'Inject error p50', value: f(s.injectErrUsP50), title: 'Median of |injected − scheduled|' },
    { key: 'inject-p99', label: 'Inject error p99', value: f(s.injectErrUsP99), title: '99th percentile of |injected − scheduled|' },
    { key: 'guest-p99', label: 'Guest interval error p99', value: f(s.guestErrUsP99), title: 'Guest-observed interval between key events − recorded interval, 99th percentile' },
    { key: 'compensation', label: 'Compensation', value: f(s.compensationUs), title: 'Mean QMP injection latency the scheduler sent early to make up for' },
    {
      key: 'steal',
      label: 'Host CPU stolen',
      value: s.hostStealPct === undefined ? '—' : `${s.hostStealPct.toFixed(1)} %`,
      title:
        "Share of this host's CPU time its hypervisor gave to other machines during the replay (/proc/stat steal). On a shared VM a few % of it shows as ms of injection error: compare replays run at similar steal.",
    },
    {
      key: 'clock',
      label: 'Key injection times',
      value: injectionClock(report),
      title:
        "QEMU trace: the moment QEMU's input layer handled each key (its own trace, µs). QMP round trip: the middle of the command's round trip (QEMU runs it somewhere inside). VNC: keys went to QEMU's VNC server, read in its main loop; QMP: through a QMP monitor.",
    },
  ];
}

function injectionClock(report: ReplayReport): string {
  const keys = report.events.filter((e) => e.kind === 'key' && e.injectedUs !== null).length;
  if (!keys) return '—';
  const traced = report.stats.tracedKeys ?? 0;
  const via = report.stats.keyPath ? ` · sent via ${report.stats.keyPath.toUpperCase()}` : '';
  if (traced === keys) return `QEMU trace${via}`;
  if (traced === 0) return `QMP round trip${via}`;
  return `QEMU trace for ${traced} of ${keys}${via}`;
}
