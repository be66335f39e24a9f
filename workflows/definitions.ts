/**
 * The webinar workflow's message names: each operator action is an Update (validated, returns a result) and a
 * Signal of the same name (fire and forget; rejections land in status().rejected). Both are derived from the
 * action table (domain/operator-action-table.ts). Clients import these.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type {
  AttendeeLocation,
  AttendeeQueryArgs,
  OperatorActionResult,
  WebinarStatus,
} from '../domain/types';
import {
  OPERATOR_ACTIONS,
  type OperatorAction,
  type OperatorActionArgs,
} from '../domain/operator-action-table';
import { MEETING_EVENTS_SIGNAL, type MeetingEventBatch } from '../domain/meeting-events';

export { OPERATOR_ACTIONS, type OperatorAction, type OperatorActionArgs };

export const WEBINAR_WORKFLOW_TYPE = 'webinarWorkflow';
export const DEFAULT_WEBINAR_TASK_QUEUE = 'webinars';

/** Workflow ID convention of the contract. */
export function webinarWorkflowId(webinarId: string): string {
  return `webinar-${webinarId}`;
}

type OperatorUpdates = {
  [A in OperatorAction]: UpdateDefinition<OperatorActionResult, [OperatorActionArgs[A]], A>;
};
type OperatorSignals = { [A in OperatorAction]: SignalDefinition<[OperatorActionArgs[A]], A> };

export const operatorUpdates = Object.fromEntries(
  OPERATOR_ACTIONS.map((action) => [action, defineUpdate(action)]),
) as OperatorUpdates;

export const operatorSignals = Object.fromEntries(
  OPERATOR_ACTIONS.map((action) => [action, defineSignal(action)]),
) as OperatorSignals;

export const statusQuery = defineQuery<WebinarStatus, [], 'status'>('status');
export const attendeeQuery = defineQuery<AttendeeLocation, [AttendeeQueryArgs], 'attendee'>('attendee');

/** Chime's meeting events for this webinar, batched by the events bridge (domain/meeting-events.ts). */
export const meetingEventsSignal = defineSignal<[MeetingEventBatch], typeof MEETING_EVENTS_SIGNAL>(
  MEETING_EVENTS_SIGNAL,
);
