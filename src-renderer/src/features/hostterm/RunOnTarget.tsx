/** "Run on target": push a host binary to the guest through the agent and run it there. */
export function RunOnTarget({ sessionId }: { sessionId: string }) {
  return (
    <span className="run-on-target" data-session-id={sessionId}>
      <button className="btn btn-small btn-primary" data-testid="run-on-target" disabled title="Needs the target agent">
        Run on target
      </button>
    </span>
  );
}
