/**
 * What attendees may send: one attendee's capabilities, or every attendee's but some.
 */
import {
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  UpdateAttendeeCapabilitiesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { ChimeActivities } from '../../domain/chime';
import type { ChimeCaller } from './caller';
import { toAttendeeInfo } from './results';

export type CapabilityActivities = Pick<
  ChimeActivities,
  'updateAttendeeCapabilities' | 'batchUpdateAttendeeCapabilitiesExcept'
>;

export function capabilityActivities({ guarded, credentials }: ChimeCaller): CapabilityActivities {
  return {
    async updateAttendeeCapabilities(input) {
      const out = await guarded(
        'updateAttendeeCapabilities',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        (c, o) =>
          c.send(
            new UpdateAttendeeCapabilitiesCommand({
              MeetingId: input.meetingId,
              AttendeeId: input.attendeeId,
              Capabilities: input.capabilities,
            }),
            o,
          ),
      );
      await credentials.capabilitiesUpdated(
        input.meetingId,
        { attendeeId: input.attendeeId },
        input.capabilities,
      );
      return toAttendeeInfo('updateAttendeeCapabilities', out.Attendee);
    },

    async batchUpdateAttendeeCapabilitiesExcept(input) {
      await guarded(
        'batchUpdateAttendeeCapabilitiesExcept',
        input.controlRegion,
        { meetingId: input.meetingId, excluded: input.excludedAttendeeIds.length },
        (c, o) =>
          c.send(
            new BatchUpdateAttendeeCapabilitiesExceptCommand({
              MeetingId: input.meetingId,
              ExcludedAttendeeIds: input.excludedAttendeeIds.map((AttendeeId) => ({ AttendeeId })),
              Capabilities: input.capabilities,
            }),
            o,
          ),
      );
      await credentials.capabilitiesUpdated(
        input.meetingId,
        { allExcept: input.excludedAttendeeIds },
        input.capabilities,
      );
    },
  };
}
