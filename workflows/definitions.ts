/**
 * The webinar workflow's message names: each operator action is an Update (validated, returns a result) and a
 * Signal of the same name (fire and forget; rejections land in status().rejected). Clients import these.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AddAttendeesArgs,
  AttendeeLocation,
  AttendeeQueryArgs,
  EndWebinarArgs,
  MuteAllExceptArgs,
  OperatorActionResult,
  RemoveAttendeeArgs,
  RescheduleArgs,
  SpeakerArgs,
  StartTranscriptionArgs,
  StopTranscriptionArgs,
  WebinarStatus,
} from '../domain/types';

export const WEBINAR_WORKFLOW_TYPE = 'webinarWorkflow';
export const DEFAULT_WEBINAR_TASK_QUEUE = 'webinars';

/** Workflow ID convention of the contract. */
export function webinarWorkflowId(webinarId: string): string {
  return `webinar-${webinarId}`;
}

export interface OperatorActionArgs {
  promoteSpeaker: SpeakerArgs;
  demoteSpeaker: SpeakerArgs;
  muteAllExcept: MuteAllExceptArgs;
  addAttendees: AddAttendeesArgs;
  removeAttendee: RemoveAttendeeArgs;
  reschedule: RescheduleArgs;
  startTranscription: StartTranscriptionArgs;
  stopTranscription: StopTranscriptionArgs;
  endWebinar: EndWebinarArgs;
}

export type OperatorAction = keyof OperatorActionArgs;

export const OPERATOR_ACTIONS: readonly OperatorAction[] = [
  'promoteSpeaker',
  'demoteSpeaker',
  'muteAllExcept',
  'addAttendees',
  'removeAttendee',
  'reschedule',
  'startTranscription',
  'stopTranscription',
  'endWebinar',
];

export const operatorUpdates = {
  promoteSpeaker: defineUpdate<OperatorActionResult, [SpeakerArgs], 'promoteSpeaker'>('promoteSpeaker'),
  demoteSpeaker: defineUpdate<OperatorActionResult, [SpeakerArgs], 'demoteSpeaker'>('demoteSpeaker'),
  muteAllExcept: defineUpdate<OperatorActionResult, [MuteAllExceptArgs], 'muteAllExcept'>('muteAllExcept'),
  addAttendees: defineUpdate<OperatorActionResult, [AddAttendeesArgs], 'addAttendees'>('addAttendees'),
  removeAttendee: defineUpdate<OperatorActionResult, [RemoveAttendeeArgs], 'removeAttendee'>(
    'removeAttendee',
  ),
  reschedule: defineUpdate<OperatorActionResult, [RescheduleArgs], 'reschedule'>('reschedule'),
  startTranscription: defineUpdate<OperatorActionResult, [StartTranscriptionArgs], 'startTranscription'>(
    'startTranscription',
  ),
  stopTranscription: defineUpdate<OperatorActionResult, [StopTranscriptionArgs], 'stopTranscription'>(
    'stopTranscription',
  ),
  endWebinar: defineUpdate<OperatorActionResult, [EndWebinarArgs], 'endWebinar'>('endWebinar'),
};

export const operatorSignals = {
  promoteSpeaker: defineSignal<[SpeakerArgs], 'promoteSpeaker'>('promoteSpeaker'),
  demoteSpeaker: defineSignal<[SpeakerArgs], 'demoteSpeaker'>('demoteSpeaker'),
  muteAllExcept: defineSignal<[MuteAllExceptArgs], 'muteAllExcept'>('muteAllExcept'),
  addAttendees: defineSignal<[AddAttendeesArgs], 'addAttendees'>('addAttendees'),
  removeAttendee: defineSignal<[RemoveAttendeeArgs], 'removeAttendee'>('removeAttendee'),
  reschedule: defineSignal<[RescheduleArgs], 'reschedule'>('reschedule'),
  startTranscription: defineSignal<[StartTranscriptionArgs], 'startTranscription'>('startTranscription'),
  stopTranscription: defineSignal<[StopTranscriptionArgs], 'stopTranscription'>('stopTranscription'),
  endWebinar: defineSignal<[EndWebinarArgs], 'endWebinar'>('endWebinar'),
};

export const statusQuery = defineQuery<WebinarStatus, [], 'status'>('status');
export const attendeeQuery = defineQuery<AttendeeLocation, [AttendeeQueryArgs], 'attendee'>('attendee');
