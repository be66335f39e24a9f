/**
 * The operator the benchmarks time: a viewer promoted to speaker and demoted back, each an Update round trip
 * measured on the client, as an operator's dashboard sees it. One home for the actions the benchmarks sample,
 * so every benchmark sends and names them the same way.
 */
import { sendOperatorAction, type WebinarHandle } from '../client/webinar-client';
import type { OperatorAction } from '../domain/actions';

/** The action whose latency the benchmarks report, and the one that undoes it between samples. */
export const PROMOTE = 'promoteSpeaker' satisfies OperatorAction;
export const DEMOTE = 'demoteSpeaker' satisfies OperatorAction;

/** Seconds `send` takes. */
async function seconds(send: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await send();
  return (performance.now() - t) / 1000;
}

/** One sample: `externalUserId` promoted, then demoted back; the seconds of each Update. */
export async function promoteAndDemote(
  webinar: WebinarHandle,
  externalUserId: string,
): Promise<{ promote: number; demote: number }> {
  const promote = await seconds(() => sendOperatorAction(webinar, PROMOTE, { externalUserId }));
  const demote = await seconds(() => sendOperatorAction(webinar, DEMOTE, { externalUserId }));
  return { promote, demote };
}

/** `externalUserId` demoted (a speaker made receive-only); the seconds of the Update. */
export function demote(webinar: WebinarHandle, externalUserId: string): Promise<number> {
  return seconds(() => sendOperatorAction(webinar, DEMOTE, { externalUserId }));
}
