/** The hypervisor's own views of the machine (QEMU `info …`), as text. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { InspectView } from '../../../../src-shared/features/monitor';
import { RefreshIcon } from '../../ui/icons';
import { describeError } from '../status/errorsStore';
import type { InspectResult, MonitorApi } from './monitorApi';

const VIEWS: { id: InspectView; label: string }[] = [
  { id: 'registers', label: 'CPU registers' },
  { id: 'irq', label: 'Interrupt counts (irq)' },
  { id: 'pic', label: 'Interrupt controllers (pic)' },
  { id: 'mtree', label: 'Memory map (mtree)' },
  { id: 'qtree', label: 'Device tree (qtree)' },
  { id: 'cpus', label: 'CPUs' },
  { id: 'roms', label: 'ROMs' },
  { id: 'tlb', label: 'TLB' },
];

export function InspectorPanel(props: { tabs: ReactNode; api: MonitorApi; sessionId: string; available: boolean; unavailableReason: string }) {
  const { api, sessionId, available } = props;
  const [view, setView] = useState<InspectView>('registers');
  const [result, setResult] = useState<InspectResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (v: InspectView, isCurrent: () => boolean) => {
      setLoading(true);
      setError(null);
      try {
        const r = await api.view({ id: sessionId, view: v });
        if (isCurrent()) setResult(r);
      } catch (err) {
        if (isCurrent()) {
          setResult(null);
          setError(describeError(err).message);
        }
      } finally {
        if (isCurrent()) setLoading(false);
      }
    },
    [api, sessionId],
  );

  useEffect(() => {
    if (!available) return;
    let current = true;
    void load(view, () => current);
    return () => {
      current = false;
    };
  }, [available, view, load]);

  return (
    <div className="mon-inspector" data-testid="inspector-pane">
      <div className="mon-subbar">
        {props.tabs}
        <label className="mon-field">
          <span>View</span>
          <select className="input input-small" data-testid="inspect-view" value={view} onChange={(e) => setView(e.target.value as InspectView)}>
            {VIEWS.map((v) => (
              <option key={v.id} value={v.id}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
        <button className="btn btn-small" data-testid="inspect-refresh" disabled={!available || loading} onClick={() => void load(view, () => true)}>
          <RefreshIcon size={12} />
          Refresh
        </button>
        {loading && <span className="muted">Asking QEMU…</span>}
      </div>
      {!available ? (
        <div className="mon-note" data-testid="inspect-unavailable">
          {props.unavailableReason}
        </div>
      ) : error ? (
        <div className="mon-error" role="alert" data-testid="inspect-error">
          {error}
        </div>
      ) : result && !result.supported ? (
        <div className="mon-note" data-testid="inspect-unsupported">
          Not supported on this machine: {result.text}
        </div>
      ) : (
        <pre className="mon-text" data-testid="inspect-text" data-view={result?.view}>
          {result?.text ?? ''}
        </pre>
      )}
    </div>
  );
}
