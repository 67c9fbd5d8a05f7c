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
export const HostIcon = icon(
  <>
    <rect x="1.8" y="2.5" width="12.4" height="8.5" rx="1" />
    <path d="M5.5 13.5h5M8 11v2.5" />
  </>,
);
export const FolderIcon = icon(<path d="M1.8 4.2c0-.6.4-1 1-1h3.3l1.4 1.6h5.7c.6 0 1 .4 1 1v6.9c0 .6-.4 1-1 1H2.8c-.6 0-1-.4-1-1z" />);
export const FileIcon = icon(
  <>
    <path d="M4 1.8h5.2L12.5 5v9.2H4z" />
    <path d="M9 1.8V5.2h3.5" />
  </>,
);
export const LinkIcon = icon(
  <>
    <path d="M6.8 9.2a2.6 2.6 0 0 0 3.7 0l2.2-2.2a2.6 2.6 0 0 0-3.7-3.7l-.9.9" />
    <path d="M9.2 6.8a2.6 2.6 0 0 0-3.7 0L3.3 9a2.6 2.6 0 0 0 3.7 3.7l.9-.9" />
  </>,
);
export const ProcessesIcon = icon(
  <>
    <path d="M2 3.5h12M2 8h12M2 12.5h12" />
    <circle cx="4.5" cy="3.5" r="0.4" />
  </>,
);
export const UploadIcon = icon(<path d="M8 11V2.8M4.8 6L8 2.8 11.2 6M2.8 10.5v2.7h10.4v-2.7" />);
export const DownloadIcon = icon(<path d="M8 2.8V11M4.8 7.8L8 11l3.2-3.2M2.8 10.5v2.7h10.4v-2.7" />);
export const RefreshIcon = icon(
  <>
    <path d="M12.8 8a4.8 4.8 0 1 1-1.5-3.5" />
    <path d="M11.6 1.9v2.9H8.7" />
  </>,
);
export const ArrowUpIcon = icon(<path d="M8 13V3M4 7l4-4 4 4" />);
export const RocketIcon = icon(
  <>
    <path d="M9.5 2.5c2 0 4 0 4 0s0 2-0 4L8.5 11.5 4.5 7.5z" />
    <path d="M4.5 7.5L2.5 7.2 4 5.2h3M8.5 11.5l.3 2 2-1.5v-3M4.2 11.8l-1.7 1.7" />
  </>,
);
