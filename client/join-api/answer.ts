/**
 * A join answer from an attendee's credential rows (the store's getAll), in the Chime API's own shapes so the
 * page hands them to amazon-chime-sdk-js as they are. One row is the usual case. A replica viewer promoted to
 * speaker has two: the replica's (what it watches in) is the answer, the primary's (what it presents in) goes in
 * `Primary`. A meeting is a replica when the service recorded its PrimaryMeetingId, as the store's rows keep it.
 */
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import { joinRoleOf, type JoinRole } from '../../domain/capabilities';
import type { JoinCredentials } from '../../domain/credentials';

export interface JoinAnswer {
  webinarId: string;
  externalUserId: string;
  /** presenter when any of its attendees may send audio (a promoted viewer presents through Primary). */
  role: JoinRole;
  Meeting: Meeting;
  Attendee: Attendee;
  Primary?: { Meeting: Meeting; Attendee: Attendee };
}

const isReplica = (c: JoinCredentials): boolean => Boolean(c.meeting.PrimaryMeetingId);

/** The answer, or undefined when there is no row. */
export function joinAnswer(
  webinarId: string,
  externalUserId: string,
  rows: readonly JoinCredentials[],
): JoinAnswer | undefined {
  const replica = rows.find(isReplica);
  const primary = rows.find(
    (c) => !isReplica(c) && (!replica || c.meeting.MeetingId === replica.meeting.PrimaryMeetingId),
  );
  const main = replica ?? primary;
  if (!main) return undefined;
  const second = replica && primary ? primary : undefined;
  const sends = rows.some((c) => joinRoleOf(c.attendee.Capabilities) === 'presenter');
  return {
    webinarId,
    externalUserId,
    role: sends ? 'presenter' : 'viewer',
    Meeting: main.meeting,
    Attendee: main.attendee,
    ...(second ? { Primary: { Meeting: second.meeting, Attendee: second.attendee } } : {}),
  };
}
