/**
 * Between the activities' shapes (domain/chime.ts) and the service's. A result is built field by field from the
 * response: never a JoinToken, so no token reaches workflow history; a response that lacks what the result
 * needs is a retryable MalformedResponse.
 */
import type { Attendee, CreateAttendeeError, Meeting, Tag } from '@aws-sdk/client-chime-sdk-meetings';
import { ApplicationFailure } from '@temporalio/common';
import type {
  AttendeeError,
  AttendeeInfo,
  ChimeOperation,
  MeetingInfo,
  NewAttendee,
} from '../../domain/chime';

function malformed(operation: ChimeOperation, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${operation}: the service response lacks ${what}`,
    type: 'MalformedResponse',
    nonRetryable: false,
  });
}

export function toMeetingInfo(operation: ChimeOperation, meeting: Meeting | undefined): MeetingInfo {
  if (!meeting?.MeetingId || !meeting.MediaRegion)
    throw malformed(operation, 'Meeting.MeetingId/MediaRegion');
  return {
    meetingId: meeting.MeetingId,
    mediaRegion: meeting.MediaRegion,
    ...(meeting.MeetingArn ? { meetingArn: meeting.MeetingArn } : {}),
    ...(meeting.PrimaryMeetingId ? { primaryMeetingId: meeting.PrimaryMeetingId } : {}),
    ...(meeting.ExternalMeetingId ? { externalMeetingId: meeting.ExternalMeetingId } : {}),
  };
}

/** Copies only what the workflow may see: never the JoinToken. */
export function toAttendeeInfo(operation: ChimeOperation, attendee: Attendee | undefined): AttendeeInfo {
  if (!attendee?.AttendeeId) throw malformed(operation, 'Attendee.AttendeeId');
  return {
    attendeeId: attendee.AttendeeId,
    externalUserId: attendee.ExternalUserId ?? '',
    ...(attendee.Capabilities ? { capabilities: { ...attendee.Capabilities } } : {}),
  };
}

export function toAttendeeError(error: CreateAttendeeError): AttendeeError {
  return {
    externalUserId: error.ExternalUserId ?? '',
    errorCode: error.ErrorCode ?? 'Unknown',
    errorMessage: error.ErrorMessage ?? '',
  };
}

export function toRequestItems(
  attendees: NewAttendee[],
): { ExternalUserId: string; Capabilities?: NewAttendee['capabilities'] }[] {
  return attendees.map((a) => ({
    ExternalUserId: a.externalUserId,
    ...(a.capabilities ? { Capabilities: a.capabilities } : {}),
  }));
}

export function toTags(tags: Tag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
}
