/**
 * A query asked again when the stale-run guard refused it (domain/errors.ts, isStaleRunRefusal): the guard
 * evicted the worker's stale copy of the run, so the next attempt is answered from a replay. A dashboard polling
 * `status` during a worker restart sees the answer, not the guard's error.
 */
import { isStaleRunRefusal } from '../../domain/errors';

/** Attempts in all, and the pause before the second (doubling after). */
export const STALE_RUN_QUERY_ATTEMPTS = 4;
export const STALE_RUN_FIRST_PAUSE_MS = 50;

export async function queryPastStaleRuns<T>(
  ask: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (err) {
      if (!isStaleRunRefusal(err) || attempt >= STALE_RUN_QUERY_ATTEMPTS) throw err;
      await sleep(STALE_RUN_FIRST_PAUSE_MS * 2 ** (attempt - 1));
    }
  }
}
