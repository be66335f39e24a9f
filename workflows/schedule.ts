/** Bodies of the operator actions on the schedule and the end (parsers, phases, lock: domain/operator-action-table.ts). */
import { condition } from '@temporalio/workflow';
import { FINAL_PHASES } from '../domain/phases';
import type { EndWebinarArgs, OperatorActionResult, RescheduleArgs } from '../domain/types';
import { describeFieldErrors } from '../domain/validation/fields';
import { validateSchedule } from '../domain/validation/schedule';
import type { ActionBodies } from './action-body';
import type { Webinar } from './context';
import { publishPhase } from './phase';
import { cancelProvisioning } from './provisioning';
import { reject } from './rejections';

function checkReschedule(w: Webinar, { startAt, endAt }: RescheduleArgs): void {
  if (startAt !== undefined && w.phase === 'LIVE')
    throw reject('startAt cannot change once the webinar is LIVE');
  const start = Date.parse(startAt ?? w.state.startAt);
  const end = Date.parse(endAt ?? w.state.endAt);
  const now = Date.now();
  if (startAt !== undefined && start < now) throw reject('startAt is in the past');
  if (endAt !== undefined && end <= now) throw reject('endAt is in the past');
  const window = validateSchedule(startAt ?? w.state.startAt, endAt ?? w.state.endAt);
  if (window.length > 0) throw reject(describeFieldErrors(window));
}

async function reschedule(w: Webinar, { startAt, endAt }: RescheduleArgs): Promise<OperatorActionResult> {
  if (startAt !== undefined) w.state.startAt = startAt;
  if (endAt !== undefined) w.state.endAt = endAt;
  publishPhase(w);
  w.local.wakes++;
  return { ok: true, detail: `scheduled from ${w.state.startAt} to ${w.state.endAt}` };
}

function settled(w: Webinar): boolean {
  return FINAL_PHASES.includes(w.phase) || w.phase === 'TEARDOWN_FAILED';
}

/** The Update returns once the teardown is over: everything deleted, or a failure the operator must see. */
function teardownOutcome(w: Webinar): OperatorActionResult {
  const failure = w.state.teardownFailure;
  if (w.phase === 'TEARDOWN_FAILED' && failure) {
    throw new Error(
      `${failure.error}; ${w.state.meetings.length} meeting(s) may be left (see status); retry with retryTeardown`,
    );
  }
  return { ok: true, detail: `webinar ${w.phase.toLowerCase()}; every meeting deleted` };
}

async function endWebinar(w: Webinar, { reason }: EndWebinarArgs): Promise<OperatorActionResult> {
  w.state.endReason = reason ?? 'ended by an operator';
  w.local.wakes++;
  cancelProvisioning(w);
  await condition(() => settled(w));
  return teardownOutcome(w);
}

async function retryTeardown(w: Webinar): Promise<OperatorActionResult> {
  const attempts = w.state.teardownFailure?.attempts ?? 0;
  w.local.teardownRetries++;
  await condition(
    () => FINAL_PHASES.includes(w.phase) || (w.state.teardownFailure?.attempts ?? 0) > attempts,
  );
  return teardownOutcome(w);
}

export const scheduleActions = {
  reschedule: { check: checkReschedule, run: reschedule },
  endWebinar: { run: endWebinar },
  retryTeardown: { run: retryTeardown },
} satisfies Partial<ActionBodies>;
