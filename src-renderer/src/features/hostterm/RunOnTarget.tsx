/**
 * "Run on target": push a host binary to the guest (/tmp/<name>, mode 0755) through the
 * agent's `files.put` from a host path, spawn it with `proc.spawn`, then show it in Processes.
 * The host path defaults to the binary last built in this session's host terminal.
 */
import { useEffect, useState } from 'react';
import { useLayout } from '../../app/layoutStore';
import { getApi } from '../../platform/apiRef';
import { RocketIcon } from '../../ui/icons';
import { useNow } from '../../ui/useNow';
import { useSessions } from '../sessions/sessionsStore';
import { reportError } from '../status/errorsStore';
import { useAgentReady } from '../processes/agentStatus';
import { runArgv } from '../processes/procBackend';
import { hostTerms, useHostTerms } from './hostTermStore';
import { normalizePath } from '../files/paths';
import { guessBuiltBinary, guestPathFor, isAbsoluteHostPath } from './runTarget';

/** What the user typed per session (kept across tab switches). */
const typed = new Map<string, string>();

export function RunOnTarget({ sessionId }: { sessionId: string }) {
  const state = useSessions((st) => st.byId[sessionId]?.state);
  const cwd = useHostTerms((st) => st.bySession[sessionId]?.cwd ?? null);
  const termId = useHostTerms((st) => st.bySession[sessionId]?.termId ?? null);
  const ready = useAgentReady({ id: sessionId, state: state ?? 'created' });
  const [text, setText] = useState(() => typed.get(sessionId) ?? '');
  const [guess, setGuess] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [since, setSince] = useState(0);
  const now = useNow(1000, !!busy);

  // Follow what the terminal shows being built, while the field is not edited.
  useEffect(() => {
    const buf = hostTerms.buffer(sessionId);
    if (!buf || !cwd) return;
    let timer = 0;
    const update = () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => setGuess(guessBuiltBinary(buf.tail(200), cwd)), 150);
    };
    update();
    const unsub = buf.subscribe(update);
    return () => {
      clearTimeout(timer);
      unsub();
    };
  }, [sessionId, cwd, termId]);

  const value = text || guess || '';
  const hostPath = value && !isAbsoluteHostPath(value) && cwd ? normalizePath(value, cwd) : value;
  const canRun = ready.ok && !!hostPath && !busy;

  const run = async () => {
    if (!canRun) return;
    const target = guestPathFor(hostPath);
    setSince(Date.now());
    try {
      setBusy(`Pushing to ${target}…`);
      await getApi().files.put({ id: sessionId, path: target, hostPath, mode: 0o755 });
      setBusy(`Starting ${target}…`);
      const r = await runArgv(sessionId, [target]);
      if ('error' in r) throw new Error(r.error);
      useLayout.getState().setTab('processes');
    } catch (err) {
      reportError(`Run ${hostPath} on the target`, err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <form
      className="run-on-target"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <input
        className="input input-small run-target-path"
        data-testid="run-target-path"
        aria-label="Host file to run on the target"
        spellCheck={false}
        placeholder={cwd ? `${cwd}/hello` : 'host path of an ARM binary'}
        title={hostPath ? `${hostPath} → ${guestPathFor(hostPath)} in the guest` : 'Build something first: $CC $CFLAGS hello.c -o hello'}
        value={value}
        onChange={(e) => {
          setText(e.target.value);
          typed.set(sessionId, e.target.value);
        }}
      />
      <button
        className="btn btn-small btn-primary"
        type="submit"
        data-testid="run-on-target"
        disabled={!canRun}
        title={!ready.ok ? ready.reason : hostPath ? `Push ${hostPath} to ${guestPathFor(hostPath)} and run it` : 'Name a host file to run'}
      >
        <RocketIcon size={12} />
        {busy ? `${busy} ${Math.max(0, Math.round((now - since) / 1000))} s` : 'Run on target'}
      </button>
    </form>
  );
}
