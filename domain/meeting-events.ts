/**
 * Chime's meeting events as the webinar workflow receives them: the events bridge reads each "Chime Meeting
 * State Change" event (EventBridge's envelope, one per SQS message), keeps what attendance needs, and signals
 * the webinar named by the meeting's ExternalMeetingId (domain/external-meeting-id.ts) with a batch.
 * Delivery is at least once and best effort at the source, in any order: the workflow drops duplicates by
 * event ID and stale events by their timestamps. Pure: the workflow sandbox parses the same shapes.
 */
import { isObject } from './validation/fields';

/** The Signal that carries a batch of meeting events to a webinar. */
export const MEETING_EVENTS_SIGNAL = 'meetingEvents';

export const MEETING_EVENT_DETAIL_TYPE = 'Chime Meeting State Change';
export const MEETING_EVENT_SOURCE = 'aws.chime';

/** The event types attendance uses, without the service's `chime:` prefix. */
export const MEETING_EVENT_TYPES = [
  'MeetingStarted',
  'MeetingEnded',
  'AttendeeJoined',
  'AttendeeLeft',
  'AttendeeDropped',
  'AttendeeDeleted',
] as const;
export type MeetingEventType = (typeof MEETING_EVENT_TYPES)[number];

const ATTENDEE_EVENTS: ReadonlySet<MeetingEventType> = new Set([
  'AttendeeJoined',
  'AttendeeLeft',
  'AttendeeDropped',
  'AttendeeDeleted',
]);

/** One event, as the Signal carries it. */
export interface MeetingEvent {
  /** The event's ID (EventBridge's `id`): duplicates share it. */
  id: string;
  type: MeetingEventType;
  /** When it happened at the service, ms since the epoch (`detail.timestamp`). */
  at: number;
  meetingId: string;
  /** On attendee events only. */
  attendeeId?: string;
  externalUserId?: string;
}

export interface MeetingEventBatch {
  events: MeetingEvent[];
}

/** Events per Signal at most: a second of a full webinar's joins fits, and a Signal stays far under 2 MiB. */
export const MAX_EVENTS_PER_SIGNAL = 2_000;
/** The longest ID the workflow accepts (a UUID is 36; the service's meeting and attendee IDs are too). */
export const MAX_EVENT_ID_CHARS = 64;
/** ExternalUserId is 2-64 characters in the service's model. */
export const MAX_EXTERNAL_USER_ID_CHARS = 64;

/** What reading one message gives: the webinar it belongs to and the event, or why it cannot be used. */
export type ReadMessage =
  | { kind: 'event'; webinarId: string; event: MeetingEvent }
  /** A well-formed Chime event attendance does not use (video, content share, transcription...). */
  | { kind: 'ignored'; eventType: string }
  /** Not a Chime meeting event at all, or one missing what every event has: it can never succeed. */
  | { kind: 'malformed'; reason: string };

const isId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_EVENT_ID_CHARS;

/** Reads one SQS message body (an EventBridge event). */
export function readMeetingEventMessage(body: string): ReadMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'malformed', reason: 'the body is not JSON' };
  }
  if (!isObject(parsed)) return { kind: 'malformed', reason: 'the body is not a JSON object' };
  if (parsed['detail-type'] !== MEETING_EVENT_DETAIL_TYPE || parsed.source !== MEETING_EVENT_SOURCE) {
    return {
      kind: 'malformed',
      reason: `not a ${MEETING_EVENT_DETAIL_TYPE} event from ${MEETING_EVENT_SOURCE}`,
    };
  }
  if (!isId(parsed.id)) return { kind: 'malformed', reason: 'id is missing or not an ID' };
  const detail = parsed.detail;
  if (!isObject(detail)) return { kind: 'malformed', reason: 'detail is missing' };
  const eventType = typeof detail.eventType === 'string' ? detail.eventType : '';
  if (!eventType.startsWith('chime:')) return { kind: 'malformed', reason: 'detail.eventType is missing' };
  const type = eventType.slice('chime:'.length) as MeetingEventType;
  if (!MEETING_EVENT_TYPES.includes(type)) return { kind: 'ignored', eventType };
  const webinarId = detail.externalMeetingId;
  if (typeof webinarId !== 'string' || webinarId.length === 0) {
    return { kind: 'malformed', reason: 'detail.externalMeetingId is missing' };
  }
  const event = eventOf({ ...detail, id: parsed.id, type, at: detail.timestamp });
  if (typeof event === 'string') {
    const field = event === 'id' ? 'id' : event === 'at' ? 'detail.timestamp' : `detail.${event}`;
    return { kind: 'malformed', reason: `${field} is missing or invalid` };
  }
  return { kind: 'event', webinarId, event };
}

/** One event from untrusted input, or the name of the first bad field. */
function eventOf(v: Record<string, unknown>): MeetingEvent | string {
  if (!isId(v.id)) return 'id';
  const type = v.type as MeetingEventType;
  if (!MEETING_EVENT_TYPES.includes(type)) return 'type';
  if (typeof v.at !== 'number' || !Number.isSafeInteger(v.at) || v.at < 0) return 'at';
  if (!isId(v.meetingId)) return 'meetingId';
  const event: MeetingEvent = { id: v.id, type, at: v.at, meetingId: v.meetingId };
  if (ATTENDEE_EVENTS.has(type)) {
    if (!isId(v.attendeeId)) return 'attendeeId';
    const user = v.externalUserId;
    if (typeof user !== 'string' || user.length === 0 || user.length > MAX_EXTERNAL_USER_ID_CHARS) {
      return 'externalUserId';
    }
    event.attendeeId = v.attendeeId;
    event.externalUserId = user;
  }
  return event;
}

/**
 * A Signal's batch, read in the workflow: anyone who may signal can send one, so each event is checked and
 * the bad ones are counted, not applied. At most MAX_EVENTS_PER_SIGNAL are read.
 */
export function readMeetingEventBatch(input: unknown): { events: MeetingEvent[]; invalid: number } {
  const list = isObject(input) && Array.isArray(input.events) ? (input.events as unknown[]) : [];
  const events: MeetingEvent[] = [];
  let invalid = isObject(input) && Array.isArray(input.events) ? 0 : 1;
  for (const [i, item] of list.entries()) {
    if (i >= MAX_EVENTS_PER_SIGNAL) {
      invalid += list.length - i;
      break;
    }
    const event = isObject(item) ? eventOf(item) : 'event';
    if (typeof event === 'string') invalid++;
    else events.push(event);
  }
  return { events, invalid };
}
