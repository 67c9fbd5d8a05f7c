/** Guest memory as a hex dump: physical (QEMU `xp`) or virtual through the current MMU context. */
import { useState, type ReactNode } from 'react';
import { BenchtopError } from '../../../../src-shared/errors';
import { RefreshIcon } from '../../ui/icons';
import { base64ToBytes } from '../files/base64';
import { describeError } from '../status/errorsStore';
import { DEFAULT_LENGTH, dumpRows, hex32, pageAddress, parseAddress, parseLength } from './hexdump';
import type { MonitorApi } from './monitorApi';

type Space = 'physical' | 'virtual';

interface Shown {
  space: Space;
  address: number;
  bytes: Uint8Array;
}

export function MemoryPanel(props: { tabs: ReactNode; api: MonitorApi; sessionId: string; available: boolean; unavailableReason: string }) {
  const { api, sessionId, available } = props;
  const [space, setSpace] = useState<Space>('physical');
  const [addressText, setAddressText] = useState('0xa0000000');
  const [lengthText, setLengthText] = useState(String(DEFAULT_LENGTH));
  const [inputError, setInputError] = useState<string | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState<{ space: Space; address: number; length: number } | null>(null);

  const read = async (q: { space: Space; address: number; length: number }) => {
    setAsked(q);
    setLoading(true);
    setError(null);
    try {
      const r = await api.memory({ id: sessionId, space: q.space, address: q.address, length: q.length });
      setShown({ space: r.space, address: r.address, bytes: base64ToBytes(r.base64) });
    } catch (err) {
      setShown(null);
      setError(
        err instanceof BenchtopError && err.code === 'not-mapped'
          ? `${hex32(q.address)} is not mapped (${q.space})${q.space === 'virtual' ? ' in the CPU’s current address space' : ''}.`
          : describeError(err).message,
      );
    } finally {
      setLoading(false);
    }
  };

  const inputs = (): { address: number; length: number } | null => {
    const a = parseAddress(addressText);
    if (!a.ok) {
      setInputError(a.error);
      return null;
    }
    const l = parseLength(lengthText);
    if (!l.ok) {
      setInputError(l.error);
      return null;
    }
    setInputError(null);
    return { address: a.value, length: l.value };
  };

  const go = () => {
    const q = inputs();
    if (q) void read({ space, ...q });
  };

  const page = (dir: -1 | 1) => {
    const q = inputs();
    if (!q) return;
    const address = pageAddress(q.address, q.length, dir);
    setAddressText(hex32(address));
    void read({ space, address, length: q.length });
  };

  const rows = shown ? dumpRows(shown.address, shown.bytes) : [];
  const disabled = !available || loading;

  return (
    <div className="mon-memory" data-testid="memory-pane">
      <form
        className="mon-subbar"
        onSubmit={(e) => {
          e.preventDefault();
          go();
        }}
      >
        {props.tabs}
        <label className="mon-field">
          <span>Space</span>
          <select className="input input-small mon-space" data-testid="memory-space" value={space} onChange={(e) => setSpace(e.target.value as Space)}>
            <option value="physical">Physical</option>
            <option value="virtual">Virtual (current MMU context)</option>
          </select>
        </label>
        <label className="mon-field">
          <span>Address</span>
          <input
            className={`input input-small mon-address${inputError ? ' invalid' : ''}`}
            data-testid="memory-address"
            spellCheck={false}
            value={addressText}
            aria-invalid={!!inputError}
            onChange={(e) => {
              setAddressText(e.target.value);
              setInputError(null);
            }}
          />
        </label>
        <label className="mon-field">
          <span>Length</span>
          <input
            className="input input-small mon-length"
            data-testid="memory-length"
            spellCheck={false}
            value={lengthText}
            onChange={(e) => {
              setLengthText(e.target.value);
              setInputError(null);
            }}
          />
        </label>
        <button className="btn btn-small btn-primary" type="submit" data-testid="memory-go" disabled={disabled}>
          Go
        </button>
        <button className="btn btn-small" type="button" data-testid="memory-refresh" disabled={disabled || !asked} onClick={() => asked && void read(asked)}>
          <RefreshIcon size={12} />
          Refresh
        </button>
        <button className="btn btn-small" type="button" data-testid="memory-prev" disabled={disabled} onClick={() => page(-1)} title="Previous page">
          ‹ Prev
        </button>
        <button className="btn btn-small" type="button" data-testid="memory-next" disabled={disabled} onClick={() => page(1)} title="Next page">
          Next ›
        </button>
      </form>
      {inputError && (
        <div className="mon-error" role="alert" data-testid="memory-input-error">
          {inputError}
        </div>
      )}
      {!available ? (
        <div className="mon-note" data-testid="memory-unavailable">
          {props.unavailableReason}
        </div>
      ) : error ? (
        <div className="mon-error" role="alert" data-testid="memory-error">
          {error}
        </div>
      ) : shown ? (
        <div className="mon-dump" data-testid="memory-dump" data-address={hex32(shown.address)} data-space={shown.space}>
          {rows.map((r) => (
            <div key={r.address} className="mon-dump-row" data-testid="memory-row">
              <span className="mon-dump-addr">{r.address}</span>
              <span className="mon-dump-hex">{r.hex}</span>
              <span className="mon-dump-ascii">{r.ascii}</span>
            </div>
          ))}
          {rows.length === 0 && <div className="empty-note">No bytes.</div>}
        </div>
      ) : (
        <div className="empty-note">Enter an address (hex like 0xa0000000, or decimal) and press Go.</div>
      )}
    </div>
  );
}
