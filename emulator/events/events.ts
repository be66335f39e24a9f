/**
 * Chime SDK meeting events ("Chime Meeting State Change") as the service publishes them to EventBridge, and
 * their delivery into the emulator's SQS queues: the queue a meeting's NotificationsConfiguration.SqsQueueArn
 * names (when this emulator has it) and the config's default events queue of the meeting's control Region,
 * which stands in for an EventBridge rule targeting a queue. Each event goes at most once to each queue.
 */
import { randomUUID } from 'node:crypto';
import { mulberry32, type EmulatorConfig } from '../config';
import type { AttendeeRecord, MeetingRecord } from '../store/records';
import type { QueueService } from '../sqs/queues';

export const DETAIL_TYPE = 'Chime Meeting State Change';
export const EVENT_SOURCE = 'aws.chime';

export const MEETING_EVENT_TYPES = [
  'chime:MeetingStarted',
  'chime:MeetingEnded',
  'chime:AttendeeJoined',
  'chime:AttendeeLeft',
  'chime:AttendeeDropped',
  'chime:AttendeeDeleted',
] as const;

export type MeetingEventType = (typeof MEETING_EVENT_TYPES)[number];

/** What the store reports; the envelope is built here. */
export interface StoreEvent {
  type: MeetingEventType;
  meeting: MeetingRecord;
  attendee?: AttendeeRecord;
  /** Emulated time, ms since the epoch. */
  at: number;
}

export interface MeetingEventDetail {
  version: '0';
  eventType: MeetingEventType;
  /** ms since the epoch. */
  timestamp: number;
  meetingId: string;
  externalMeetingId: string;
  mediaRegion: string;
  attendeeId?: string;
  externalUserId?: string;
  /** On join, leave and drop: how the attendee is connected (always `Voip` here). */
  networkType?: 'Voip';
}

export interface MeetingEventEnvelope {
  version: '0';
  id: string;
  'detail-type': typeof DETAIL_TYPE;
  source: typeof EVENT_SOURCE;
  account: string;
  /** ISO-8601 to the second, as EventBridge writes it. */
  time: string;
  /** The meeting's control Region. */
  region: string;
  resources: string[];
  detail: MeetingEventDetail;
}

export interface EventTotals {
  /** Events the emulator produced, in all. */
  emitted: number;
  byType: Record<MeetingEventType, number>;
  /** Messages put on queues (an event delivered to two queues counts twice). */
  delivered: number;
  /** Events no queue of this emulator received: no target configured, or it names no queue here. */
  undelivered: number;
  /** Events put on their queues a second time (config `events.duplicateRate`). */
  duplicated: number;
}

function emptyTotals(): EventTotals {
  return {
    emitted: 0,
    byType: Object.fromEntries(MEETING_EVENT_TYPES.map((t) => [t, 0])) as Record<MeetingEventType, number>,
    delivered: 0,
    undelivered: 0,
    duplicated: 0,
  };
}

const ATTENDEE_CONNECTION_EVENTS: ReadonlySet<MeetingEventType> = new Set([
  'chime:AttendeeJoined',
  'chime:AttendeeLeft',
  'chime:AttendeeDropped',
]);

export function envelope(e: StoreEvent, accountId: string): MeetingEventEnvelope {
  const m = e.meeting;
  const detail: MeetingEventDetail = {
    version: '0',
    eventType: e.type,
    timestamp: Math.floor(e.at),
    meetingId: m.meetingId,
    externalMeetingId: m.externalMeetingId,
    mediaRegion: m.mediaRegion,
  };
  if (e.attendee) {
    detail.attendeeId = e.attendee.attendeeId;
    detail.externalUserId = e.attendee.externalUserId;
    if (ATTENDEE_CONNECTION_EVENTS.has(e.type)) detail.networkType = 'Voip';
  }
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: accountId,
    time: new Date(Math.floor(e.at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: m.controlRegion,
    resources: [],
    detail,
  };
}

export class MeetingEvents {
  private counts = emptyTotals();
  private random: () => number;

  constructor(
    private readonly config: () => EmulatorConfig,
    private readonly queues: QueueService,
  ) {
    this.random = mulberry32(config().faults.seed);
  }

  /** Same seed, same events: same duplicates. */
  reseed(): void {
    this.random = mulberry32(this.config().faults.seed);
  }

  emit(e: StoreEvent): void {
    const config = this.config();
    const body = JSON.stringify(envelope(e, config.accountId));
    this.counts.emitted++;
    this.counts.byType[e.type]++;
    const targets = new Set<string>();
    const arn = e.meeting.notifications?.SqsQueueArn;
    const named = arn ? this.queues.byArn(arn, config.accountId) : undefined;
    if (named) targets.add(`${named.region}\n${named.name}`);
    const fallback = config.events.defaultQueues[e.meeting.controlRegion];
    if (fallback) targets.add(`${e.meeting.controlRegion}\n${fallback}`);
    const rate = config.events.duplicateRate;
    const copies = rate > 0 && this.random() < rate ? 2 : 1;
    let delivered = 0;
    for (const t of targets) {
      const [region = '', name = ''] = t.split('\n');
      for (let i = 0; i < copies; i++) if (this.queues.deliver(region, name, body)) delivered++;
    }
    this.counts.delivered += delivered;
    if (delivered === 0) this.counts.undelivered++;
    else if (copies > 1) this.counts.duplicated++;
  }

  totals(): EventTotals {
    return structuredClone(this.counts);
  }

  clear(): void {
    this.counts = emptyTotals();
    this.reseed();
  }
}
