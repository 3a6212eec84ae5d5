import type { ReactNode } from 'react';
import { ApiError } from '../api/http.js';

/**
 * The three states every page has besides its data: loading (a skeleton of the page's shape,
 * so nothing jumps when data arrives), empty (what to do next), and error (what went wrong,
 * MLflow's code, and a retry).
 */

/** Grey bars where rows will be; `label` is what assistive technology announces. */
export function Skeleton({ rows = 5, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-row" />
      ))}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

/** An error as the reader needs it: a sentence, the server's code, and a way to try again. */
export function ErrorState({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  const apiError = error instanceof ApiError ? error : undefined;
  const heading =
    title ??
    (apiError?.code === 'UNREACHABLE'
      ? 'The server cannot be reached'
      : apiError?.status === 404 || apiError?.code === 'RESOURCE_DOES_NOT_EXIST'
        ? 'Not found'
        : 'Something went wrong');
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{heading}</p>
      <p className="error-message">{error instanceof Error ? error.message : String(error)}</p>
      {apiError ? (
        <p className="error-code">
          <code>{apiError.code}</code>
          {apiError.status ? ` · HTTP ${apiError.status}` : ''}
        </p>
      ) : null}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
