/**
 * Where a webinar is, as its workflow publishes it: the status memo read with describe() (domain/status-memo.ts),
 * not a query, so no worker is asked and no replay runs; and, from the same describe, when provisioning begins
 * (the calendar's WebinarProvisionAt search attribute). Reads are cached per webinar for a second and shared
 * while in flight: 10,000 people joining one webinar at once cost one describe a second, not 10,000.
 */
import type { Client } from '@temporalio/client';
import type { WebinarPhase } from '../../domain/phases';
import { WEBINAR_PROVISION_AT } from '../../domain/search-attributes';
import { isStatusMemo, STATUS_MEMO_KEY } from '../../domain/status-memo';
import { webinarWorkflowId } from '../../workflows/definitions';
import { isNotFound } from '../library/errors';

export type PublishedPhase =
  /** provisionAt: the WebinarProvisionAt search attribute (startAt less the lead) when the webinar has it. */
  | { kind: 'published'; phase: WebinarPhase; startAt: string; provisionAt?: string }
  /** The run has not published its first memo yet. */
  | { kind: 'no-memo' }
  /** No workflow of that webinar. */
  | { kind: 'not-found' };

export type PhaseOf = (webinarId: string) => Promise<PublishedPhase>;

export const PHASE_CACHE_MS = 1_000;
/** Webinars remembered at once; the oldest goes first (a read costs one describe, so forgetting is cheap). */
const MAX_CACHED_WEBINARS = 10_000;

/** One describe of the webinar's workflow, read as its published phase. */
export async function describePhase(client: Client, webinarId: string): Promise<PublishedPhase> {
  try {
    const described = await client.workflow.getHandle(webinarWorkflowId(webinarId)).describe();
    const memo = described.memo?.[STATUS_MEMO_KEY];
    if (!isStatusMemo(memo)) return { kind: 'no-memo' };
    const provisionAt = described.typedSearchAttributes.get(WEBINAR_PROVISION_AT);
    return {
      kind: 'published',
      phase: memo.phase,
      startAt: memo.startAt,
      ...(provisionAt ? { provisionAt: provisionAt.toISOString() } : {}),
    };
  } catch (err) {
    if (isNotFound(err)) return { kind: 'not-found' };
    throw err;
  }
}

/**
 * `read` cached for `ttlMs` per webinar (by the given clock). A failed read is not cached: the next caller
 * tries again.
 */
export function cachedPhaseOf(
  read: PhaseOf,
  options: { ttlMs?: number; nowMs?: () => number } = {},
): PhaseOf {
  const ttlMs = options.ttlMs ?? PHASE_CACHE_MS;
  const nowMs = options.nowMs ?? Date.now;
  const cache = new Map<string, { at: number; phase: Promise<PublishedPhase> }>();
  return (webinarId) => {
    const now = nowMs();
    const hit = cache.get(webinarId);
    if (hit && now - hit.at < ttlMs) return hit.phase;
    cache.delete(webinarId);
    if (cache.size >= MAX_CACHED_WEBINARS) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    const phase = read(webinarId);
    const entry = { at: now, phase };
    cache.set(webinarId, entry);
    phase.catch(() => {
      if (cache.get(webinarId) === entry) cache.delete(webinarId);
    });
    return phase;
  };
}
