/**
 * How every Chime activity makes its one API call: the client of its control Region, the activity's
 * cancellation signal passed on, one log line (redacted meta only), and every failure converted by the error
 * table (errors.ts). NotFound is an answer for the operations that say so.
 */
import type { ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, type Logger } from '@temporalio/common';
import { jitteredRetryDelayMs, type ChimeOperation } from '../../domain/chime';
import type { CredentialStore } from '../../domain/credentials';
import type { ChimeClientFactory } from '../clients';
import { credentialWrites, type CredentialWrites } from '../credentials/writes';
import { classify, isNotFound, toActivityFailure, withJitteredDelay } from '../errors';

export interface ChimeActivityDeps {
  clients: ChimeClientFactory;
  /** Defaults to the activity context's logger (a no-op outside an activity). */
  logger?: Logger;
  /** Page size of ListAttendees (1–100). */
  listPageSize?: number;
  /** The source of retry jitter (tests pin it). */
  random?: () => number;
  /** Where attendees' credentials are kept (JoinTokens included); unset: not kept. */
  credentials?: CredentialStore;
}

/**
 * A page of ListAttendees after the first that fails retryably is retried in place this many times (after the
 * same jittered delay Temporal's retry would wait): a retry of the whole activity would read every page again,
 * and under throttling a long roster would then rarely get through.
 */
const PAGE_RETRIES_IN_PLACE = 4;

type LogMeta = Record<string, unknown>;

type Send<T> = (client: ChimeSDKMeetingsClient, options: { abortSignal?: AbortSignal }) => Promise<T>;

export function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** What the activities of each concern (meetings.ts, attendees.ts, ...) call the service with. */
export interface ChimeCaller {
  /** One API call; `onNotFound` answers a NotFound for the operations where it means already done or gone. */
  guarded: <T>(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    send: Send<T>,
    onNotFound?: () => T,
  ) => Promise<T>;
  /** One page of a paged read, read again in place while it fails retryably (PAGE_RETRIES_IN_PLACE). */
  retriedInPlace: <T>(
    read: () => Promise<T>,
    progress: { pages: number; attendees: unknown[] },
  ) => Promise<T>;
  logger: () => Logger | undefined;
  /** Page size of ListAttendees. */
  pageSize: number;
  /** What the credential store is told of created and deleted meetings and attendees. */
  credentials: CredentialWrites;
}

export function createChimeCaller(deps: ChimeActivityDeps): ChimeCaller {
  const { clients } = deps;
  const pageSize = deps.listPageSize ?? 100;

  function logger(): Logger | undefined {
    return deps.logger ?? currentContext()?.log;
  }

  /** One API call: the cancellation signal of the activity is passed on, every error goes through the table. */
  async function call<T>(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    send: Send<T>,
  ): Promise<T> {
    const ctx = currentContext();
    const region = controlRegion ?? clients.defaultRegion;
    const client = clients.client(controlRegion);
    const started = Date.now();
    try {
      const result = await send(client, ctx ? { abortSignal: ctx.cancellationSignal } : {});
      logger()?.debug(`chime ${operation} ok`, {
        operation,
        controlRegion: region,
        ms: Date.now() - started,
        ...meta,
      });
      return result;
    } catch (err) {
      if (ctx?.cancellationSignal.aborted) {
        const reason: unknown = ctx.cancellationSignal.reason;
        throw reason instanceof Error ? reason : err;
      }
      throw err;
    }
  }

  /** Logs a failure once (redacted meta only) and converts it. */
  function fail(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    err: unknown,
  ): Error {
    const service = classify(err, operation);
    const attempt = currentContext()?.info.attempt;
    const retry = attempt !== undefined ? { attempt, random: deps.random } : undefined;
    const d = withJitteredDelay(service, retry);
    logger()?.warn(`chime ${operation} failed: ${d.type}`, {
      operation,
      controlRegion: controlRegion ?? clients.defaultRegion,
      errorType: d.type,
      retryable: d.retryable,
      ...(service.nextRetryDelayMs !== undefined ? { retryAfterMs: service.nextRetryDelayMs } : {}),
      ...(d.nextRetryDelayMs !== undefined ? { retryDelayMs: d.nextRetryDelayMs } : {}),
      ...meta,
    });
    return toActivityFailure(err, operation, retry);
  }

  async function guarded<T>(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    send: Send<T>,
    onNotFound?: () => T,
  ): Promise<T> {
    try {
      return await call(operation, controlRegion, meta, send);
    } catch (err) {
      if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
      if (onNotFound && isNotFound(err)) {
        logger()?.info(`chime ${operation}: not found, treated as already done`, { operation, ...meta });
        return onNotFound();
      }
      throw fail(operation, controlRegion, meta, err);
    }
  }

  /** One page read again after a pause while it fails retryably (see PAGE_RETRIES_IN_PLACE). */
  async function retriedInPlace<T>(
    read: () => Promise<T>,
    progress: { pages: number; attendees: unknown[] },
  ) {
    for (let retry = 1; ; retry++) {
      try {
        return await read();
      } catch (err) {
        const ctx = currentContext();
        const retryable = err instanceof ApplicationFailure && !err.nonRetryable;
        if (!retryable || retry > PAGE_RETRIES_IN_PLACE || !ctx) throw err;
        // The service's Retry-After wins (toActivityFailure keeps it in the details), else the jittered envelope.
        const details = err.details?.[0] as { retryAfterMs?: number | null } | undefined;
        const delay = details?.retryAfterMs ?? jitteredRetryDelayMs(retry, deps.random);
        ctx.heartbeat({ pages: progress.pages, attendees: progress.attendees.length, pageRetry: retry });
        await ctx.sleep(delay);
      }
    }
  }

  return {
    guarded,
    retriedInPlace,
    logger,
    pageSize,
    credentials: credentialWrites(deps.credentials, logger),
  };
}
