/**
 * Classes of call, by how much a webinar's start depends on them. All share one task queue per control Region,
 * whose server-side rate limit is the Region's whole API budget; the class sets the task priority, so a backlog
 * is dispatched tier by tier while every tier still gets the full budget whenever no higher tier waits:
 * - `operator`: promote, demote, mute, remove, an operator's transcription: a person is waiting;
 * - `critical`: what a webinar cannot start without: its primary meeting and its presenters' (hosts' and
 *   speakers') registration, and a promoted viewer's primary credentials restored after a new generation;
 * - `bulk`: replicas, viewers' registration, late attendees, meeting checks, transcription at the start;
 *   within it, each webinar's calls carry its fairness key, weighted by how soon it starts (fairness.ts);
 * - `teardown`: DeleteMeeting and the StopMeetingTranscription before it: nobody waits for a meeting to end,
 *   and teardowns at :00 must not delay the provisioning of the webinars starting at :00.
 */
export type CallClass = 'operator' | 'critical' | 'bulk' | 'teardown';

/** Temporal task priority per class: lower runs first (the server's default range is 1–5, default 3). */
export const CALL_PRIORITY: Readonly<Record<CallClass, number>> = {
  operator: 1,
  critical: 2,
  bulk: 3,
  teardown: 4,
};
