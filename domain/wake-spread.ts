/**
 * The wake-up spread. Webinars that start together would all wake to provision in the same millisecond, and a
 * worker runs every webinar's workflow tasks on one workflow thread, one after another: an operator's Update or
 * a dashboard's query that arrives then waits behind all of them. So each webinar wakes up to WAKE_SPREAD_MS
 * early, by an offset drawn from its ID: the same herd arrives spread over a second. Earlier, never later: a
 * webinar's lead only grows, by less than a second, and an idle primary's auto-end stays a minute away
 * (MAX_PROVISION_LEAD_SECONDS). Pure: the workflow computes it, and the same ID always gives the same offset.
 */

/** The window the wake-ups of webinars provisioning at the same instant are spread over. */
export const WAKE_SPREAD_MS = 1_000;

/** How early, in ms in [0, WAKE_SPREAD_MS), the webinar wakes to provision: FNV-1a of its ID. */
export function wakeOffsetMs(webinarId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < webinarId.length; i++) {
    hash ^= webinarId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % WAKE_SPREAD_MS;
}
