/** Tab icon of the Monitor: a line chart (16×16, currentColor, like ui/icons). */
import type { SVGProps } from 'react';

export function MonitorIcon({ size = 16, ...rest }: SVGProps<SVGSVGElement> & { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.4} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <path d="M2 2.5v11h12" />
      <path d="M4.5 10.5l2.5-3.5 2.2 2 3.3-4.8" />
    </svg>
  );
}
