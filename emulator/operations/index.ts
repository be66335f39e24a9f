/** The 16 operations by name, grouped by the resource they act on. */
import * as attendees from './attendees';
import type { Operation } from './context';
import * as meetings from './meetings';
import * as tags from './tags';
import * as transcription from './transcription';

export type { Input, Operation, OperationContext } from './context';

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateMeeting: meetings.createMeeting,
  CreateMeetingWithAttendees: meetings.createMeetingWithAttendees,
  GetMeeting: meetings.getMeeting,
  DeleteMeeting: meetings.deleteMeeting,
  CreateAttendee: attendees.createAttendee,
  BatchCreateAttendee: attendees.batchCreateAttendee,
  GetAttendee: attendees.getAttendee,
  DeleteAttendee: attendees.deleteAttendee,
  ListAttendees: attendees.listAttendees,
  UpdateAttendeeCapabilities: attendees.updateAttendeeCapabilities,
  BatchUpdateAttendeeCapabilitiesExcept: attendees.batchUpdateAttendeeCapabilitiesExcept,
  StartMeetingTranscription: transcription.startMeetingTranscription,
  StopMeetingTranscription: transcription.stopMeetingTranscription,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
};
