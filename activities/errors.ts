/**
 * One place that decides what a failed Chime SDK Meetings call means to Temporal. Temporal owns retries (the AWS
 * client makes exactly one attempt), so every error leaves an activity as an ApplicationFailure whose `type` is
 * the AWS error name and whose `nonRetryable` flag is looked up in the table below.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TRANSIENT_NETWORK_ERRORS } from '../domain/errors';
import { jitteredRetryDelayMs } from '../domain/chime';

export interface ErrorRule {
  retryable: boolean;
  /** Why, in one phrase; becomes part of the failure message and of docs/activities.md. */
  meaning: string;
}

/** Errors the service models (service-2.json), plus ValidationException that AWS front ends may return. */
export const AWS_ERROR_RULES: Readonly<Record<string, ErrorRule>> = {
  ThrottlingException: { retryable: true, meaning: 'request rate above the account API budget (HTTP 429)' },
  ServiceFailureException: { retryable: true, meaning: 'internal service failure (HTTP 500)' },
  ServiceUnavailableException: {
    retryable: true,
    meaning: 'service temporarily unavailable (HTTP 503); Retry-After is honoured',
  },
  ConflictException: {
    retryable: true,
    meaning: 'a concurrent instance of the same request is in flight (HTTP 409); it settles, so retry',
  },
  BadRequestException: { retryable: false, meaning: 'the request is invalid (HTTP 400)' },
  ValidationException: { retryable: false, meaning: 'the request failed validation (HTTP 400)' },
  ForbiddenException: { retryable: false, meaning: 'the credentials may not perform this call (HTTP 403)' },
  UnauthorizedException: { retryable: false, meaning: 'the credentials were not accepted (HTTP 401)' },
  UnprocessableEntityException: {
    retryable: false,
    meaning: 'the request is well-formed but cannot be processed in the current state (HTTP 422)',
  },
  TooManyTagsException: { retryable: false, meaning: 'the resource would exceed 50 tags (HTTP 400)' },
  LimitExceededException: {
    retryable: false,
    meaning:
      'a service quota is exhausted (not a throttle: retrying does not help until usage drops or the quota is raised)',
  },
  NotFoundException: { retryable: false, meaning: 'the meeting or attendee does not exist (HTTP 404)' },
  ResourceNotFoundException: { retryable: false, meaning: 'the tagged resource does not exist (HTTP 404)' },
};

/**
 * Where an operation gives an error a different meaning. ConflictException on a meeting creation means the
 * ClientRequestToken was already used with different parameters: retrying the same request cannot heal that.
 */
export const OPERATION_ERROR_RULES: Readonly<Record<string, Readonly<Record<string, ErrorRule>>>> = {
  createMeeting: {
    ConflictException: {
      retryable: false,
      meaning: 'the ClientRequestToken was already used for a meeting with different parameters (HTTP 409)',
    },
  },
  createMeetingWithAttendees: {
    ConflictException: {
      retryable: false,
      meaning: 'the ClientRequestToken was already used for a meeting with different parameters (HTTP 409)',
    },
  },
};

/** Failures below HTTP: the request may or may not have reached the service, so retry (domain/errors.ts). */
export const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = TRANSIENT_NETWORK_ERRORS;

/** A Retry-After longer than this is clipped, so one header cannot outlive the activity's schedule-to-close. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  RetryAfterSeconds?: unknown;
}

function asAwsLike(err: unknown): AwsLikeError {
  return typeof err === 'object' && err !== null ? err : {};
}

/** The AWS error name (or Node error code for network failures) that becomes the failure type. */
export function awsErrorName(err: unknown): string {
  const e = asAwsLike(err);
  if (typeof e.name === 'string' && e.name in AWS_ERROR_RULES) return e.name;
  if (typeof e.code === 'string' && TRANSIENT_ERROR_NAMES.has(e.code)) return e.code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  // The SDK wraps a non-Error rejection (e.g. a socket error from another realm) as "AWS SDK error wrapper for
  // Error: connect ECONNREFUSED ...": recover the code from the text.
  if (typeof e.message === 'string') {
    const code = /\b(E[A-Z_]{3,}|UND_ERR_[A-Z_]+)\b/.exec(e.message)?.[1];
    if (code && TRANSIENT_ERROR_NAMES.has(code)) return code;
  }
  return 'Error';
}

export function httpStatusOf(err: unknown): number | undefined {
  const e = asAwsLike(err);
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/**
 * Retry-After in milliseconds: the modelled `RetryAfterSeconds` member (ServiceUnavailableException binds it to
 * the header), else the raw `retry-after` header of the hidden `$response` the SDK attaches to every service
 * exception (so a 429 carrying the header is honoured too). Seconds or an HTTP date; undefined when absent.
 */
export function retryAfterMs(err: unknown, now: () => number = Date.now): number | undefined {
  const e = asAwsLike(err);
  const headers = e.$response?.headers ?? {};
  const headerValue = Object.entries(headers).find(([key]) => key.toLowerCase() === 'retry-after')?.[1];
  const raw =
    typeof e.RetryAfterSeconds === 'string' || typeof e.RetryAfterSeconds === 'number'
      ? String(e.RetryAfterSeconds)
      : headerValue;
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Math.round(Number(trimmed) * 1000);
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

export interface FailureDecision {
  type: string;
  retryable: boolean;
  meaning: string;
  nextRetryDelayMs?: number;
}

/** The decision for one error, by name first, then by fault class / HTTP status for anything unmodelled. */
export function classify(err: unknown, operation?: string): FailureDecision {
  const type = awsErrorName(err);
  const rule =
    (operation !== undefined ? OPERATION_ERROR_RULES[operation]?.[type] : undefined) ?? AWS_ERROR_RULES[type];
  const delay = retryAfterMs(err);
  const withDelay = (d: FailureDecision): FailureDecision =>
    d.retryable && delay !== undefined ? { ...d, nextRetryDelayMs: delay } : d;
  if (rule) return withDelay({ type, ...rule });
  if (TRANSIENT_ERROR_NAMES.has(type)) {
    return { type, retryable: true, meaning: 'the request timed out or the connection failed' };
  }
  const e = asAwsLike(err);
  const status = httpStatusOf(err);
  if (status === 429 || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return withDelay({
      type,
      retryable: true,
      meaning: `unmodelled server-side error (HTTP ${status ?? '5xx'})`,
    });
  }
  if ((status !== undefined && status >= 400) || e.$fault === 'client') {
    return { type, retryable: false, meaning: `unmodelled client-side error (HTTP ${status ?? '4xx'})` };
  }
  // Neither an HTTP answer nor a known network failure (e.g. a response that could not be parsed): retry, as
  // Temporal would by default; the schedule-to-close timeout bounds it.
  return { type, retryable: true, meaning: 'unexpected error without an HTTP status' };
}

export function isNotFound(err: unknown): boolean {
  const name = awsErrorName(err);
  return name === 'NotFoundException' || name === 'ResourceNotFoundException';
}

/** The attempt that failed (from the activity's context), so a retryable failure can carry a jittered delay. */
export interface JitteredRetry {
  attempt: number;
  random?: () => number;
}

/** A Retry-After from the service wins; otherwise a retry while called from an activity gets jitter. */
export function withJitteredDelay(d: FailureDecision, retry: JitteredRetry | undefined): FailureDecision {
  if (!d.retryable || d.nextRetryDelayMs !== undefined || retry === undefined) return d;
  return { ...d, nextRetryDelayMs: jitteredRetryDelayMs(retry.attempt, retry.random) };
}

/**
 * Turns any error thrown by a Chime call into the ApplicationFailure Temporal acts on. A cancellation of the
 * activity itself is passed through as a CancelledFailure.
 */
export function toActivityFailure(err: unknown, operation: string, retry?: JitteredRetry): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const service = classify(err, operation);
  const d = withJitteredDelay(service, retry);
  const e = asAwsLike(err);
  const status = httpStatusOf(err);
  const serviceMessage = typeof e.message === 'string' && e.message !== '' ? e.message : '(no message)';
  const requestId = e.$metadata?.requestId;
  const head =
    d.type === 'LimitExceededException'
      ? `${operation}: service quota exceeded (LimitExceededException; not a throttle, will not be retried)`
      : `${operation} failed with ${d.type}${status !== undefined ? ` (HTTP ${status})` : ''}`;
  const message = `${head}: ${serviceMessage} — ${d.meaning}${
    d.retryable ? '; retryable' : '; not retryable'
  }${requestId ? ` [requestId ${requestId}]` : ''}`;
  return ApplicationFailure.create({
    message,
    type: d.type,
    nonRetryable: !d.retryable,
    nextRetryDelay: d.nextRetryDelayMs,
    details: [
      {
        operation,
        awsError: d.type,
        httpStatusCode: status ?? null,
        requestId: requestId ?? null,
        retryAfterMs: service.nextRetryDelayMs ?? null,
        retryDelayMs: d.nextRetryDelayMs ?? null,
      },
    ],
  });
}
