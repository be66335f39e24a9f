/**
 * The phase's one writer, and its publication: the WebinarPhase search attribute (with the webinar's ID and
 * start) and the status memo, which dashboards read.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { WebinarPhase } from '../domain/phases';
import { WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT } from '../domain/search-attributes';
import type { Webinar } from './context';
import { publishStatus } from './status-memo';

/** Enters a phase: published at once, or by the next run when this one is about to continue as new. */
export function setPhase(
  w: Webinar,
  phase: WebinarPhase,
  published: 'now' | 'in-the-next-run' = 'now',
): void {
  w.state.phase = phase;
  if (published === 'now') publishPhase(w);
}

/** Publishes the phase and the schedule as they are (at each run's start and after a reschedule too). */
export function publishPhase(w: Webinar): void {
  upsertSearchAttributes([
    { key: WEBINAR_ID, value: w.spec.webinarId },
    { key: WEBINAR_PHASE, value: w.state.phase },
    { key: WEBINAR_START_AT, value: new Date(Date.parse(w.state.startAt)) },
  ]);
  publishStatus(w);
}
