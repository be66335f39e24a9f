/**
 * Error names that mean "the same request may succeed later". The activities classify failed calls with them
 * (activities/errors.ts) and the workflow retries attendees whose BatchCreateAttendee error is one of them.
 */

/** Service errors that a retry can heal (throttling, internal failure, unavailability). */
export const TRANSIENT_SERVICE_ERRORS = [
  'ThrottlingException',
  'ServiceFailureException',
  'ServiceUnavailableException',
] as const;

/** Failures below HTTP: the request may or may not have reached the service. */
export const TRANSIENT_NETWORK_ERRORS: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

const SERVICE: ReadonlySet<string> = new Set(TRANSIENT_SERVICE_ERRORS);

/**
 * A per-attendee ErrorCode of BatchCreateAttendee worth another round. The service reports the names with or
 * without their `Exception` suffix (`Throttling`, `ServiceFailure`, ...), so both are accepted.
 */
export function isTransientAttendeeError(code: string): boolean {
  return SERVICE.has(code) || SERVICE.has(`${code}Exception`);
}

/**
 * What the stale-run guard (workflows/stale-run-guard.ts) tells a query's caller when it refused to answer from a
 * worker's stale copy of a run: the run is evicted, and the same query asked again is answered from a replay.
 */
export const STALE_RUN_RETRY_HINT = 'Retry the query.';

/** Whether a failed query is the stale-run guard's refusal, which the same query asked again gets past. */
export function isStaleRunRefusal(err: unknown): boolean {
  return err instanceof Error && err.message.includes(STALE_RUN_RETRY_HINT);
}
