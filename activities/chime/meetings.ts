/**
 * The meetings' activities: create (alone or with its first attendees), read and delete.
 */
import {
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { ChimeActivities, CreateMeetingInput, MeetingInfo } from '../../domain/chime';
import { redact } from '../redact';
import { withWorkerTag } from '../worker-tag';
import type { ChimeCaller } from './caller';
import { toAttendeeError, toAttendeeInfo, toMeetingInfo, toRequestItems } from './results';

export type MeetingActivities = Pick<
  ChimeActivities,
  'createMeeting' | 'createMeetingWithAttendees' | 'getMeeting' | 'deleteMeeting'
>;

/** What both creates send for the meeting itself; every meeting carries the worker's tag (worker-tag.ts). */
function meetingRequest(input: CreateMeetingInput) {
  return {
    ClientRequestToken: input.clientRequestToken,
    ExternalMeetingId: input.externalMeetingId,
    MediaRegion: input.mediaRegion,
    PrimaryMeetingId: input.primaryMeetingId,
    MeetingFeatures: input.meetingFeatures,
    Tags: withWorkerTag(input.tags),
    TenantIds: input.tenantIds,
  };
}

export function meetingActivities({ guarded, credentials }: ChimeCaller): MeetingActivities {
  return {
    async createMeeting(input: CreateMeetingInput): Promise<MeetingInfo> {
      const meta = { externalMeetingId: redact(input.externalMeetingId), mediaRegion: input.mediaRegion };
      const out = await guarded('createMeeting', input.controlRegion, meta, (c, o) =>
        c.send(new CreateMeetingCommand(meetingRequest(input)), o),
      );
      const info = toMeetingInfo('createMeeting', out.Meeting);
      await credentials.meetingCreated(out.Meeting);
      return info;
    },

    async createMeetingWithAttendees(input) {
      const meta = {
        externalMeetingId: redact(input.externalMeetingId),
        mediaRegion: input.mediaRegion,
        attendees: input.attendees.length,
      };
      const out = await guarded('createMeetingWithAttendees', input.controlRegion, meta, (c, o) =>
        c.send(
          new CreateMeetingWithAttendeesCommand({
            ...meetingRequest(input),
            Attendees: toRequestItems(input.attendees),
          }),
          o,
        ),
      );
      const result = {
        meeting: toMeetingInfo('createMeetingWithAttendees', out.Meeting),
        attendees: (out.Attendees ?? []).map((a) => toAttendeeInfo('createMeetingWithAttendees', a)),
        errors: (out.Errors ?? []).map(toAttendeeError),
      };
      await credentials.meetingCreated(out.Meeting);
      await credentials.attendeesCreated(result.meeting.meetingId, out.Attendees);
      return result;
    },

    async getMeeting(input) {
      const meta = { meetingId: input.meetingId };
      const out = await guarded(
        'getMeeting',
        input.controlRegion,
        meta,
        (c, o) => c.send(new GetMeetingCommand({ MeetingId: input.meetingId }), o),
        () => null,
      );
      return out === null ? null : toMeetingInfo('getMeeting', out.Meeting);
    },

    async deleteMeeting(input) {
      const result = await guarded<{ deleted: boolean }>(
        'deleteMeeting',
        input.controlRegion,
        { meetingId: input.meetingId },
        async (c, o) => {
          await c.send(new DeleteMeetingCommand({ MeetingId: input.meetingId }), o);
          return { deleted: true };
        },
        () => ({ deleted: false }),
      );
      // After the service's answer (a retry re-runs both), and when it was already gone: its replicas' rows too.
      await credentials.meetingDeleted(input.meetingId);
      return result;
    },
  };
}
