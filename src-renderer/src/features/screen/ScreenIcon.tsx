/** Tab icon of the Screen: a small portrait LCD (16×16, currentColor, like ui/icons). */
import type { SVGProps } from 'react';

export function ScreenIcon({ size = 16, ...rest }: SVGProps<SVGSVGElement> & { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.4} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <rect x="3.5" y="1.8" width="9" height="12.4" rx="1.2" />
      <path d="M5.5 5h5M5.5 7.5h3.5" />
    </svg>
  );
}
