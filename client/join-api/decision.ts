/**
 * What POST /v1/join answers once the caller is known: the credentials, "not yet" (come back at retryAt), or
 * "gone". The credential store says whether the attendee can join now; the published phase says whether
 * waiting can help. A webinar tearing down or over is gone even while its rows are being deleted.
 */
import { MAX_PROVISION_LEAD_SECONDS } from '../../domain/limits';
import { OPEN_PHASES } from '../../domain/phases';
import type { JoinAnswer } from './answer';
import type { PublishedPhase } from './published-phase';

/** How soon to come back while meetings are being provisioned, or before the first memo. */
export const PROVISIONING_RETRY_SECONDS = 5;

export type JoinDecision =
  { kind: 'joined'; answer: JoinAnswer } | { kind: 'not-yet'; retryAt: Date } | { kind: 'gone' };

export function decideJoin(answer: JoinAnswer | undefined, phase: PublishedPhase, now: Date): JoinDecision {
  if (phase.kind === 'not-found') return { kind: 'gone' };
  if (phase.kind === 'published' && !OPEN_PHASES.includes(phase.phase)) return { kind: 'gone' };
  if (answer) return { kind: 'joined', answer };
  const soon = new Date(now.getTime() + PROVISIONING_RETRY_SECONDS * 1000);
  if (phase.kind === 'no-memo' || phase.phase === 'PROVISIONING') return { kind: 'not-yet', retryAt: soon };
  if (phase.phase === 'SCHEDULED') {
    // Without the search attribute (a workflow started without the client library's schedule()), the longest
    // lead gives the earliest provisioning can begin.
    const begins =
      phase.provisionAt !== undefined
        ? Date.parse(phase.provisionAt)
        : Date.parse(phase.startAt) - MAX_PROVISION_LEAD_SECONDS * 1000;
    return {
      kind: 'not-yet',
      retryAt: Number.isFinite(begins) && begins > soon.getTime() ? new Date(begins) : soon,
    };
  }
  // READY or LIVE and no row: removed, or never registered.
  return { kind: 'gone' };
}
