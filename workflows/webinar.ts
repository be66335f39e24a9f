/**
 * The webinar workflow: one durable run per webinar, from schedule to teardown.
 *
 *   SCHEDULED → PROVISIONING → READY → LIVE → TEARING_DOWN → ENDED   (or FAILED / CANCELLED after teardown)
 *
 * This file is the lifecycle; the parts live beside it: state.ts (the one state object, also the
 * continue-as-new payload), context.ts (the lock policy), provisioning.ts, generations.ts, teardown.ts,
 * actions.ts (the operator actions' table) with handlers.ts, and views.ts (the queries).
 * Deterministic code only: every Chime call is an activity, every wait a Temporal timer or condition.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WEBINAR_PHASE } from '../domain/search-attributes';
import { STATUS_MEMO_KEY } from '../domain/status-memo';
import { wakeOffsetMs } from '../domain/wake-spread';
import type { WebinarSpec, WebinarStatus } from '../domain/types';
import { formatFieldErrors, summarizeFieldErrors } from '../domain/validation/fields';
import { validateWebinarSpec } from '../domain/validation/spec';
import { Webinar } from './context';
import { errorMessage, recordError } from './last-error';
import { publishPhase, setPhase } from './phase';
import { attendeeQuery, statusQuery } from './definitions';
import { provisionNewGeneration, releaseMeetings } from './generations';
import { provisioningOutgrewHistory } from './continuation';
import { registerActionHandlers } from './handlers';
import { stillAhead } from './deadlines';
import { seatPlan, provisionGeneration } from './provisioning';
import { carryState, initialState, restoreState, type CarriedState } from './state';
import { teardown } from './teardown';
import { invalidInputMemo } from './status-memo';
import { startTranscriptionIfWanted } from './transcription';
import { attendeeView, invalidInputStatus, statusView } from './views';
import { waitUntil } from './waits';
import { changeApplies } from './patches';
import { finishAttendance } from './attendance-report';
import { registerMeetingEventsHandler } from './meeting-events';
import type { AttendanceTotals } from '../domain/attendance';

export type { CarriedState } from './state';
export { HEALTH_CHECK_INTERVAL_MS } from './generations';
export { MAX_BATCHES_IN_FLIGHT, REGISTRATION_ROUNDS } from './provisioning';
export { MAX_REJECTIONS_KEPT } from './rejections';

/** A READY webinar whose start moved further away than this releases its meetings and goes back to SCHEDULED. */
export const RELEASE_IF_START_MOVES_BEYOND_MS = 60_000;

export interface WebinarOutcome {
  webinarId: string;
  phase: 'ENDED';
  generation: number;
  reason: string;
  attendees: { requested: number; registered: number; failed: number };
  /** From Chime's meeting events; per attendee in the store (`report <webinarId>`). */
  attendance: AttendanceTotals;
}

export async function webinarWorkflow(input: WebinarSpec, carried?: CarriedState): Promise<WebinarOutcome> {
  // Registered before validation, so every run answers `status`, including one whose input is invalid.
  let status: () => WebinarStatus = () => invalidInputStatus(input, 'the input is being validated');
  setHandler(statusQuery, () => status());
  const validated = validateWebinarSpec(input);
  if (!validated.ok) {
    const message = formatFieldErrors(validated.errors);
    status = () => invalidInputStatus(input, message);
    upsertSearchAttributes([{ key: WEBINAR_PHASE, value: 'FAILED' }]);
    const failed = invalidInputStatus(input, message);
    upsertMemo({ [STATUS_MEMO_KEY]: invalidInputMemo(failed.startAt, failed.endAt, message) });
    throw ApplicationFailure.create({
      type: 'ValidationError',
      nonRetryable: true,
      // The details carry every listed error; the message names the first, so the list is recorded once.
      message: summarizeFieldErrors(validated.errors),
      details: [validated.errors],
    });
  }
  const spec = validated.value;
  const w = new Webinar(spec, carried ? restoreState(carried) : initialState(spec));
  status = () => statusView(w);
  setHandler(attendeeQuery, (args) => attendeeView(w, args));
  registerActionHandlers(w);
  registerMeetingEventsHandler(w);
  return run(w);
}

async function run(w: Webinar): Promise<WebinarOutcome> {
  w.local.handOverWaitsForOperators = changeApplies('hand-over-waits-for-operators');
  publishPhase(w);
  let next: 'end' | 'continue';
  try {
    next = await lifecycle(w);
  } catch (err) {
    if (isCancellation(err)) {
      w.state.endReason = 'cancelled';
      await teardown(w, 'CANCELLED');
      await finishAttendance(w);
      throw err;
    }
    const failedIn = w.phase;
    const error = errorMessage(err);
    recordError(w.state, error);
    await teardown(w, 'FAILED');
    await finishAttendance(w);
    throw ApplicationFailure.create({
      type: 'WebinarFailed',
      nonRetryable: true,
      message: `Webinar ${w.spec.webinarId} failed during ${failedIn}: ${error}`,
      cause: err instanceof Error ? err : undefined,
    });
  }
  if (next === 'continue') {
    await condition(allHandlersFinished);
    return continueAsNew<typeof webinarWorkflow>({ ...w.spec, attendees: [] }, carryState(w.state));
  }
  await teardown(w, 'ENDED');
  const attendance = await finishAttendance(w);
  await condition(allHandlersFinished);
  return {
    webinarId: w.spec.webinarId,
    phase: 'ENDED',
    generation: w.state.generation,
    reason: w.state.endReason ?? 'ended at endAt',
    attendees: w.roster.counts(),
    attendance,
  };
}

async function lifecycle(w: Webinar): Promise<'end' | 'continue'> {
  for (;;) {
    if (w.state.endReason !== undefined) return 'end';
    switch (w.phase) {
      case 'SCHEDULED': {
        seatPlan(w);
        // Webinars of the same hour wake spread over a second, not all at the provisioning time itself.
        const early = wakeOffsetMs(w.spec.webinarId);
        const woke = await waitUntil(w, () => provisionAt(w) - early, false);
        if (woke === 'deadline') setPhase(w, 'PROVISIONING');
        else if (woke === 'end' || woke === 'continue') return woke;
        break;
      }
      case 'PROVISIONING': {
        if ((await provisionGeneration(w)) === 'cancelled') return 'end';
        if (provisioningOutgrewHistory()) {
          // The next run publishes READY, with a history that has room for the live webinar's actions.
          setPhase(w, 'READY', 'in-the-next-run');
          return 'continue';
        }
        setPhase(w, 'READY');
        break;
      }
      case 'READY': {
        const woke = await waitUntil(w, () => Date.parse(w.state.startAt), true);
        if (woke === 'deadline') {
          setPhase(w, 'LIVE');
          await w.chimeLock.run(() => startTranscriptionIfWanted(w));
        } else if (woke === 'changed') {
          // Asked only after a change (an operator moving the times), and decided by timers.
          if (await startMovedFarOut(w)) await releaseForLaterStart(w);
        } else if (woke === 'primary-ended') {
          if ((await provisionNewGeneration(w)) === 'cancelled') return 'end';
        } else return woke;
        break;
      }
      case 'LIVE': {
        const woke = await waitUntil(w, () => Date.parse(w.state.endAt), true);
        if (woke === 'deadline') return 'end';
        if (woke === 'primary-ended') {
          if ((await provisionNewGeneration(w)) === 'cancelled') return 'end';
        } else if (woke !== 'changed') return woke;
        break;
      }
      default:
        return 'end';
    }
  }
}

/** When the webinar wakes to provision: its lead before the start. */
function provisionAt(w: Webinar): number {
  return Date.parse(w.state.startAt) - w.spec.provisionLeadSeconds * 1000;
}

/**
 * Whether the start moved so far out that an idle primary would auto-end before it. Decided by timers
 * (workflows/deadlines.ts): a clock read here could differ between a run and its replay.
 */
function startMovedFarOut(w: Webinar): Promise<boolean> {
  return stillAhead(provisionAt(w) - RELEASE_IF_START_MOVES_BEYOND_MS);
}

/** The start moved far out: an idle primary would auto-end long before it, so give the meetings back. */
async function releaseForLaterStart(w: Webinar): Promise<void> {
  await w.chimeLock.run(() => releaseMeetings(w));
  setPhase(w, 'SCHEDULED');
}
