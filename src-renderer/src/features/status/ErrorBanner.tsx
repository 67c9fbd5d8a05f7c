/** Error toasts, bottom right, until dismissed. */
import { formatClock } from '../../ui/format';
import { CloseIcon, ErrorIcon } from '../../ui/icons';
import { useErrors } from './errorsStore';

export function ErrorBanner() {
  const errors = useErrors((s) => s.errors);
  const dismiss = useErrors((s) => s.dismiss);
  const clear = useErrors((s) => s.clear);
  if (errors.length === 0) return null;
  return (
    <div className="toasts" data-testid="error-banner" role="alert" aria-live="assertive">
      {errors.length > 1 && (
        <button className="toast-clear" onClick={clear} data-testid="error-dismiss-all">
          Dismiss all
        </button>
      )}
      {errors.map((e) => (
        <div className="toast" key={e.key} data-testid="error-item" data-code={e.code ?? undefined}>
          <ErrorIcon size={16} className="toast-icon" />
          <div className="toast-body">
            <div className="toast-title">
              {e.title}
              {e.count > 1 && <span className="toast-count">×{e.count}</span>}
              <span className="toast-time">{formatClock(e.at)}</span>
            </div>
            <div className="toast-message" data-testid="error-message">
              {e.message}
            </div>
          </div>
          <button
            className="icon-button toast-close"
            aria-label="Dismiss"
            title="Dismiss"
            data-testid="error-dismiss"
            onClick={() => dismiss(e.key)}
          >
            <CloseIcon size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
