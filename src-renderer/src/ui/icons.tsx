/** Small inline SVG icons (no icon font, nothing fetched). 16×16, drawn with currentColor. */
import type { ReactElement, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function icon(paths: ReactElement, filled = false) {
  return function Icon({ size = 16, ...rest }: IconProps) {
    return (
      <svg
        width={size}
        height={size}
        viewBox="0 0 16 16"
        fill={filled ? 'currentColor' : 'none'}
        stroke={filled ? 'none' : 'currentColor'}
        strokeWidth={1.4}
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
        focusable="false"
        {...rest}
      >
        {paths}
      </svg>
    );
  };
}

export const PlayIcon = icon(<path d="M4.5 2.8v10.4L13 8z" />, true);
export const PauseIcon = icon(
  <>
    <rect x="4" y="3" width="2.8" height="10" rx="0.6" />
    <rect x="9.2" y="3" width="2.8" height="10" rx="0.6" />
  </>,
  true,
);
export const ResumeIcon = icon(
  <>
    <rect x="2.8" y="3" width="2.2" height="10" rx="0.5" />
    <path d="M7 3v10l6.5-5z" />
  </>,
  true,
);
export const StopIcon = icon(<rect x="3.5" y="3.5" width="9" height="9" rx="1" />, true);
export const ResetIcon = icon(
  <>
    <path d="M3.2 8a4.8 4.8 0 1 0 1.5-3.5" />
    <path d="M4.4 1.9v2.9h2.9" />
  </>,
);
export const PlusIcon = icon(<path d="M8 3v10M3 8h10" />);
export const EditIcon = icon(
  <>
    <path d="M10.6 2.6l2.8 2.8-7.7 7.7H2.9v-2.8z" />
    <path d="M9.2 4l2.8 2.8" />
  </>,
);
export const TrashIcon = icon(
  <>
    <path d="M2.5 4.2h11M6.2 4.2V2.6h3.6v1.6" />
    <path d="M3.8 4.2l.7 9.2h7l.7-9.2" />
    <path d="M6.6 6.6v4.6M9.4 6.6v4.6" />
  </>,
);
export const CloseIcon = icon(<path d="M4 4l8 8M12 4l-8 8" />);
export const TerminalIcon = icon(
  <>
    <rect x="1.8" y="2.8" width="12.4" height="10.4" rx="1.2" />
    <path d="M4.5 6.2l2.2 1.8-2.2 1.8M8.2 10.2h3.3" />
  </>,
);
export const InfoIcon = icon(
  <>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 7.2v4M8 4.9v.1" />
  </>,
);
export const ErrorIcon = icon(
  <>
    <circle cx="8" cy="8" r="6" />
    <path d="M5.8 5.8l4.4 4.4M10.2 5.8l-4.4 4.4" />
  </>,
);
export const PlugIcon = icon(
  <>
    <path d="M6 1.8v3M10 1.8v3M4.2 4.8h7.6v2.6a3.8 3.8 0 0 1-7.6 0z" />
    <path d="M8 11.2v3" />
  </>,
);
export const ChipIcon = icon(
  <>
    <rect x="4" y="4" width="8" height="8" rx="1" />
    <path d="M6 1.8V4M10 1.8V4M6 12v2.2M10 12v2.2M1.8 6H4M1.8 10H4M12 6h2.2M12 10h2.2" />
  </>,
);
export const BugIcon = icon(
  <>
    <rect x="5" y="5" width="6" height="8" rx="3" />
    <path d="M8 5v8M5 8H2.5M11 8h2.5M5.2 11H3M10.8 11H13M6 3.5l-1-1.5M10 3.5l1-1.5" />
  </>,
);
export const ClockIcon = icon(
  <>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 4.8V8l2.2 1.4" />
  </>,
);
export const ChevronDownIcon = icon(<path d="M4 6l4 4 4-4" />);
export const ChevronUpIcon = icon(<path d="M4 10l4-4 4 4" />);
export const ClearIcon = icon(
  <>
    <circle cx="8" cy="8" r="6" />
    <path d="M3.8 12.2l8.4-8.4" />
  </>,
);
