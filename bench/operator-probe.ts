/**
 * The operator the benchmarks time: a viewer promoted to speaker and demoted back, each an Update round trip
 * measured on the client, as an operator's dashboard sees it. One home for the actions the benchmarks sample,
 * so every benchmark sends and names them the same way.
 */
import { sendOperatorAction, type WebinarHandle } from '../client/library/operator-actions';
import type { OperatorAction } from '../domain/operator-action-table';

/** The action whose latency the benchmarks report, and the one that undoes it between samples. */
export const PROMOTE = 'promoteSpeaker' satisfies OperatorAction;
export const DEMOTE = 'demoteSpeaker' satisfies OperatorAction;

/** The seconds `send` takes, and when it ended (epoch ms). */
async function timed(send: () => Promise<unknown>): Promise<{ seconds: number; endedAt: number }> {
  const t = performance.now();
  await send();
  return { seconds: (performance.now() - t) / 1000, endedAt: Date.now() };
}

/** One sample: `externalUserId` promoted, then demoted back; the seconds of each Update and when each ended. */
export async function promoteAndDemote(
  webinar: WebinarHandle,
  externalUserId: string,
): Promise<{ promote: number; demote: number; promotedAt: number; demotedAt: number }> {
  const promoted = await timed(() => sendOperatorAction(webinar, PROMOTE, { externalUserId }));
  const demoted = await timed(() => sendOperatorAction(webinar, DEMOTE, { externalUserId }));
  return {
    promote: promoted.seconds,
    demote: demoted.seconds,
    promotedAt: promoted.endedAt,
    demotedAt: demoted.endedAt,
  };
}

/** `externalUserId` demoted (a speaker made receive-only); the seconds of the Update. */
export async function demote(webinar: WebinarHandle, externalUserId: string): Promise<number> {
  return (await timed(() => sendOperatorAction(webinar, DEMOTE, { externalUserId }))).seconds;
}

export interface TimedAction {
  ok: boolean;
  seconds: number;
  /** The rejection's message when the Update failed. */
  message?: string;
}

/** One operator action, timed on the client; a rejected Update is returned, not thrown. */
export async function timedAction(
  webinar: WebinarHandle,
  action: typeof PROMOTE | typeof DEMOTE,
  externalUserId: string,
): Promise<TimedAction> {
  const t = performance.now();
  try {
    await sendOperatorAction(webinar, action, { externalUserId });
    return { ok: true, seconds: (performance.now() - t) / 1000 };
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, seconds: (performance.now() - t) / 1000, message };
  }
}
