/** CreateAttendee, BatchCreateAttendee, GetAttendee, DeleteAttendee, ListAttendees and capability updates. */
import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest, limitExceeded } from '../errors';
import { checkCapabilities, defaultCapabilities, DEFAULT_ATTENDEE_PAGE, type Capabilities } from '../rules';
import { attendeeOut, type MeetingRecord } from '../store/records';
import type { Input, Operation, OperationContext } from './context';

export interface AttendeeItem {
  ExternalUserId: string;
  Capabilities?: Capabilities;
}

function seatLimit(ctx: OperationContext, m: MeetingRecord): number {
  return Math.min(ctx.config.limits.attendeesPerMeeting, m.features?.Attendee?.MaxCount ?? Infinity);
}

/** Idempotent on ExternalUserId; a new attendee past the seat limit becomes an error entry. */
export function seatAttendees(
  ctx: OperationContext,
  m: MeetingRecord,
  items: AttendeeItem[],
): { attendees: Input[]; errors: Input[] } {
  const attendees: Input[] = [];
  const errors: Input[] = [];
  const returned = new Set<string>();
  for (const item of items) {
    let a = m.byExternalUserId.get(item.ExternalUserId);
    if (!a) {
      if (m.attendees.size >= seatLimit(ctx, m)) {
        errors.push({
          ExternalUserId: item.ExternalUserId,
          ErrorCode: 'LimitExceeded',
          ErrorMessage: `The meeting ${m.meetingId} has reached its limit of ${seatLimit(ctx, m)} attendees`,
        });
        continue;
      }
      a = {
        attendeeId: randomUUID(),
        externalUserId: item.ExternalUserId,
        joinToken: randomBytes(96).toString('base64url'),
        capabilities: item.Capabilities ? { ...item.Capabilities } : defaultCapabilities(m.features),
        seq: m.nextSeq++,
      };
      ctx.store.addAttendee(m, a);
    }
    if (!returned.has(a.attendeeId)) {
      returned.add(a.attendeeId);
      attendees.push(attendeeOut(a));
    }
  }
  return { attendees, errors };
}

export const createAttendee: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const item: AttendeeItem = {
    ExternalUserId: input.ExternalUserId as string,
    Capabilities: input.Capabilities as Capabilities | undefined,
  };
  checkCapabilities(item.Capabilities, m.features);
  const { attendees, errors } = seatAttendees(ctx, m, [item]);
  if (errors.length > 0 || !attendees[0]) throw limitExceeded(String(errors[0]?.ErrorMessage));
  return { Attendee: attendees[0] };
};

export const batchCreateAttendee: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const items = input.Attendees as AttendeeItem[];
  for (const item of items) checkCapabilities(item.Capabilities, m.features);
  const { attendees, errors } = seatAttendees(ctx, m, items);
  return { Attendees: attendees, Errors: errors };
};

export const getAttendee: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  return { Attendee: attendeeOut(ctx.store.attendee(m, input.AttendeeId as string)) };
};

export const deleteAttendee: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  ctx.store.deleteAttendee(m, ctx.store.attendee(m, input.AttendeeId as string));
  return undefined;
};

/** Pages in creation order; the NextToken names the meeting and the last sequence number returned. */
export const listAttendees: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const max = (input.MaxResults as number | undefined) ?? DEFAULT_ATTENDEE_PAGE;
  let after = 0;
  const token = input.NextToken as string | undefined;
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const [id, seq] = decoded.split('/');
    if (id !== m.meetingId || !seq || !/^\d+$/.test(seq)) throw badRequest('Invalid NextToken');
    after = Number(seq);
  }
  const page: Input[] = [];
  let last = after;
  let more = false;
  for (const a of m.attendees.values()) {
    if (a.seq <= after) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(attendeeOut(a));
    last = a.seq;
  }
  return {
    Attendees: page,
    ...(more ? { NextToken: Buffer.from(`${m.meetingId}/${last}`).toString('base64url') } : {}),
  };
};

export const updateAttendeeCapabilities: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const a = ctx.store.attendee(m, input.AttendeeId as string);
  const caps = input.Capabilities as Capabilities;
  checkCapabilities(caps, m.features);
  a.capabilities = { ...caps };
  return { Attendee: attendeeOut(a) };
};

export const batchUpdateAttendeeCapabilitiesExcept: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const caps = input.Capabilities as Capabilities;
  checkCapabilities(caps, m.features);
  const excluded = new Set(
    (input.ExcludedAttendeeIds as Array<{ AttendeeId: string }>).map((x) => x.AttendeeId),
  );
  for (const a of m.attendees.values()) if (!excluded.has(a.attendeeId)) a.capabilities = { ...caps };
  return undefined;
};
