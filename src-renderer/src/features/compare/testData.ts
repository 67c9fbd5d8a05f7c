/** Reports and samples for the Compare unit tests. */
import type { MonitorPoint } from '../../../../src-shared/features/monitor';
import type { ReplayEventResult, ReplayInfo, ReplayReport } from '../../../../src-shared/features/replay';

export function info(patch: Partial<ReplayInfo> = {}): ReplayInfo {
  return {
    replayId: 'p00000001',
    recordingId: 'r00000001',
    rev: 1,
    sessionId: 'board-one',
    iteration: 1,
    of: 1,
    speed: 1,
    state: 'done',
    startedAt: 1_000_000,
    endedAt: 1_010_000,
    injected: 0,
    total: 0,
    error: null,
    ...patch,
  };
}

export function key(id: string, us: number, down = true, guestUs: number | null = null): ReplayEventResult {
  return { eventId: id, kind: 'key', label: `a ${down ? '↓' : '↑'}`, scheduledUs: us, injectedUs: us, guestUs };
}

export function consoleEvent(id: string, us: number, text = 'ls\\r'): ReplayEventResult {
  return { eventId: id, kind: 'console', label: text, scheduledUs: us, injectedUs: us, guestUs: null };
}

export function report(patch: Partial<Omit<ReplayReport, 'replay'>> & { replay?: Partial<ReplayInfo> } = {}): ReplayReport {
  return {
    replay: info(patch.replay),
    events: patch.events ?? [],
    markers: patch.markers ?? [],
    stats: patch.stats ?? { injectErrUsP50: 100, injectErrUsP99: 900, guestErrUsP99: 1500, compensationUs: 200 },
  };
}

export function point(t: number, patch: { user?: number; system?: number; usedKb?: number; irq?: Record<string, number>; host?: MonitorPoint['host'] } = {}): MonitorPoint {
  return {
    t,
    cpu: { user: patch.user ?? 10, nice: 1, system: patch.system ?? 5, iowait: 2, irq: 0.5, softirq: 0.5, idle: 81, steal: 0 },
    mem: { totalKb: 65536, usedKb: patch.usedKb ?? 20480, freeKb: 30720, availableKb: 40000, buffersKb: 2048, cachedKb: 12288 },
    irq: patch.irq ?? { '25': 100, '26': 3 },
    ctxtPerS: 200,
    forksPerS: 0,
    procsRunning: 1,
    procsBlocked: 0,
    host: patch.host === undefined ? { qemuCpuPct: 40, qemuRssKb: 102400 } : patch.host,
  };
}
