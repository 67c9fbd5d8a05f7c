/** A drag handle between two panes. Reports the pointer delta since the drag started. */
import { useRef } from 'react';

export function Splitter(props: {
  direction: 'vertical' | 'horizontal';
  onDragStart: () => void;
  onDrag: (deltaPx: number) => void;
  label: string;
}) {
  const start = useRef<number | null>(null);
  const vertical = props.direction === 'vertical';
  return (
    <div
      className={`splitter splitter-${props.direction}`}
      role="separator"
      aria-orientation={vertical ? 'vertical' : 'horizontal'}
      aria-label={props.label}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = vertical ? e.clientX : e.clientY;
        props.onDragStart();
        document.body.classList.add(vertical ? 'resizing-col' : 'resizing-row');
      }}
      onPointerMove={(e) => {
        if (start.current === null) return;
        props.onDrag((vertical ? e.clientX : e.clientY) - start.current);
      }}
      onPointerUp={(e) => {
        start.current = null;
        e.currentTarget.releasePointerCapture(e.pointerId);
        document.body.classList.remove('resizing-col', 'resizing-row');
      }}
      onPointerCancel={() => {
        start.current = null;
        document.body.classList.remove('resizing-col', 'resizing-row');
      }}
    />
  );
}
