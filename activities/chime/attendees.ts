/**
 * The attendees' activities: register (one or a batch), read, list every page of, and delete.
 */
import {
  BatchCreateAttendeeCommand,
  CreateAttendeeCommand,
  DeleteAttendeeCommand,
  GetAttendeeCommand,
  ListAttendeesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { AttendeeInfo, ChimeActivities } from '../../domain/chime';
import { redact } from '../redact';
import { currentContext, type ChimeCaller } from './caller';
import { toAttendeeError, toAttendeeInfo, toRequestItems } from './results';

export type AttendeeActivities = Pick<
  ChimeActivities,
  'createAttendee' | 'batchCreateAttendee' | 'getAttendee' | 'listAttendees' | 'deleteAttendee'
>;

export function attendeeActivities({
  guarded,
  retriedInPlace,
  logger,
  pageSize,
  credentials,
}: ChimeCaller): AttendeeActivities {
  return {
    async createAttendee(input) {
      const meta = { meetingId: input.meetingId, externalUserId: redact(input.externalUserId) };
      const out = await guarded('createAttendee', input.controlRegion, meta, (c, o) =>
        c.send(
          new CreateAttendeeCommand({
            MeetingId: input.meetingId,
            ExternalUserId: input.externalUserId,
            ...(input.capabilities ? { Capabilities: input.capabilities } : {}),
          }),
          o,
        ),
      );
      const info = toAttendeeInfo('createAttendee', out.Attendee);
      await credentials.attendeesCreated(input.meetingId, out.Attendee ? [out.Attendee] : []);
      return info;
    },

    async batchCreateAttendee(input) {
      if (input.attendees.length === 0) return { attendees: [], errors: [] };
      const meta = { meetingId: input.meetingId, attendees: input.attendees.length };
      // Idempotent by design: the service returns the existing attendee for an ExternalUserId already in the
      // meeting, so re-running a batch after a crash registers no one twice.
      const out = await guarded('batchCreateAttendee', input.controlRegion, meta, (c, o) =>
        c.send(
          new BatchCreateAttendeeCommand({
            MeetingId: input.meetingId,
            Attendees: toRequestItems(input.attendees),
          }),
          o,
        ),
      );
      const errors = (out.Errors ?? []).map(toAttendeeError);
      if (errors.length > 0) {
        logger()?.warn(`chime batchCreateAttendee: ${errors.length} attendee(s) rejected`, {
          ...meta,
          rejected: errors.map((e) => ({ externalUserId: redact(e.externalUserId), errorCode: e.errorCode })),
        });
      }
      const attendees = (out.Attendees ?? []).map((a) => toAttendeeInfo('batchCreateAttendee', a));
      await credentials.attendeesCreated(input.meetingId, out.Attendees);
      return { attendees, errors };
    },

    async getAttendee(input) {
      const out = await guarded(
        'getAttendee',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        (c, o) =>
          c.send(new GetAttendeeCommand({ MeetingId: input.meetingId, AttendeeId: input.attendeeId }), o),
        () => null,
      );
      return out === null ? null : toAttendeeInfo('getAttendee', out.Attendee);
    },

    async listAttendees(input) {
      const ctx = currentContext();
      const attendees: AttendeeInfo[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const token = nextToken;
        const readPage = () =>
          guarded('listAttendees', input.controlRegion, { meetingId: input.meetingId, page: pages }, (c, o) =>
            c.send(
              new ListAttendeesCommand({
                MeetingId: input.meetingId,
                MaxResults: pageSize,
                NextToken: token,
              }),
              o,
            ),
          );
        const out = pages === 0 ? await readPage() : await retriedInPlace(readPage, { pages, attendees });
        for (const a of out.Attendees ?? []) attendees.push(toAttendeeInfo('listAttendees', a));
        nextToken = out.NextToken;
        pages += 1;
        // Liveness and a cancellation point between pages; the details carry counts only (no personal data).
        ctx?.heartbeat({ pages, attendees: attendees.length });
      } while (nextToken);
      return attendees;
    },

    async deleteAttendee(input) {
      const result = await guarded<{ deleted: boolean }>(
        'deleteAttendee',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        async (c, o) => {
          await c.send(
            new DeleteAttendeeCommand({ MeetingId: input.meetingId, AttendeeId: input.attendeeId }),
            o,
          );
          return { deleted: true };
        },
        () => ({ deleted: false }),
      );
      // Also when the service no longer had it: a token it does not honour is not kept either.
      await credentials.attendeeDeleted(input.meetingId, input.attendeeId);
      return result;
    },
  };
}
