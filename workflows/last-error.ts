/** The webinar's lastError: what went wrong last, as `status` and the memo show it. Its one writer is here. */
import type { WebinarState } from './state';

/**
 * Records a problem. `unless-set` keeps an error already there: a failed teardown must not hide why the
 * webinar failed.
 */
export function recordError(
  state: WebinarState,
  error: string,
  mode: 'replace' | 'unless-set' = 'replace',
): void {
  if (mode === 'unless-set' && state.lastError !== undefined) return;
  state.lastError = error;
}

/** An error's message, with its cause's (an activity failure's message says little without it). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
