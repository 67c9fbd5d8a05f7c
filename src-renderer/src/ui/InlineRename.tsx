/** An inline name editor (explorer rows): focused and selected on mount; Enter or blur commits, Escape cancels. */
import { useEffect, useRef, useState } from 'react';

export function InlineRename(props: { initial: string; maxLength: number; testId: string; onCommit: (name: string) => void; onDone: () => void }) {
  const [value, setValue] = useState(props.initial);
  const ref = useRef<HTMLInputElement>(null);
  // Enter commits and then the input's blur would commit again: only the first ending counts.
  const finished = useRef(false);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const finish = (commit: boolean) => {
    if (finished.current) return;
    finished.current = true;
    if (commit) props.onCommit(value);
    props.onDone();
  };
  return (
    <input
      ref={ref}
      className="input input-inline"
      data-testid={props.testId}
      value={value}
      maxLength={props.maxLength}
      onChange={(e) => setValue(e.target.value)}
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish(true);
        else if (e.key === 'Escape') finish(false);
      }}
      onBlur={() => finish(true)}
    />
  );
}
