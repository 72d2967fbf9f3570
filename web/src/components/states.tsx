/** The designed states of every view: loading, empty and failed, never a blank page. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="state" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

export function Failed({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const validations = error instanceof ApiError ? error.validations : [];
  return (
    <div class="state failed" role="alert">
      <strong>Could not load this view.</strong>
      <p>{message}</p>
      {validations.length > 0 ? (
        <ul>
          {validations.map((validation) => (
            <li key={validation.field}>
              <code>{validation.field}</code>: {validation.detail}
            </li>
          ))}
        </ul>
      ) : null}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
