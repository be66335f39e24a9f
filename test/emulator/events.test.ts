/**
 * Meeting events: what the emulator emits, in the EventBridge shape, for connections through the admin API,
 * DeleteAttendee, DeleteMeeting (a primary and its replicas) and auto-end, read back through the real SQS
 * client from the config's default events queue or a meeting's NotificationsConfiguration queue.
 */
import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  CreateAttendeeCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startEmulator, type MeetingEventEnvelope } from '../../emulator';
import { createMeeting, rejection, sharedEmulator, UUID } from './helpers';
import { createQueue, drainEvents, sqsClientFor } from './sqs-helpers';

const EVENTS_QUEUE = 'chime-meeting-events';

describe('meeting events', () => {
  const shared = sharedEmulator({ events: { defaultQueues: { 'us-east-1': EVENTS_QUEUE } } });
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(() => {
    sqs = sqsClientFor(shared.emu);
  });
  afterAll(() => sqs.destroy());
  beforeEach(async () => {
    // The default events queue exists again, empty, after every reset.
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: EVENTS_QUEUE }));
    queueUrl = out.QueueUrl ?? '';
  });

  const attendee = async (meetingId: string, externalUserId: string): Promise<string> => {
    const out = await shared.client.send(
      new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: externalUserId }),
    );
    return out.Attendee?.AttendeeId ?? '';
  };

  const admin = async (meetingId: string, attendeeId: string, action: string): Promise<Response> =>
    fetch(`${shared.emu.endpoint}/_emulator/meetings/${meetingId}/attendees/${attendeeId}/${action}`, {
      method: 'POST',
    });

  const kinds = (events: MeetingEventEnvelope[]): string[] =>
    events.map((e) => `${e.detail.eventType}${e.detail.externalUserId ? ` ${e.detail.externalUserId}` : ''}`);

  it('connect, disconnect and drop give MeetingStarted, AttendeeJoined, AttendeeLeft and AttendeeDropped in order', async () => {
    const m = await createMeeting(shared.client, {
      ExternalMeetingId: 'webinar-w1',
      MediaRegion: 'eu-west-1',
    });
    const meetingId = m.MeetingId ?? '';
    const a = await attendee(meetingId, 'alice');
    const b = await attendee(meetingId, 'bob');
    expect((await admin(meetingId, a, 'connect')).status).toBe(200);
    expect((await admin(meetingId, b, 'connect')).status).toBe(200);
    // Connecting twice changes nothing and emits nothing.
    expect(await (await admin(meetingId, b, 'connect')).json()).toMatchObject({ changed: false });
    expect((await admin(meetingId, a, 'disconnect')).status).toBe(200);
    expect((await admin(meetingId, b, 'drop')).status).toBe(200);
    expect(await (await admin(meetingId, b, 'drop')).json()).toMatchObject({ changed: false });
    // Reconnecting does not start the meeting again.
    shared.emu.connect(meetingId, a);

    const events = await drainEvents(sqs, queueUrl);
    expect(kinds(events)).toEqual([
      'chime:MeetingStarted',
      'chime:AttendeeJoined alice',
      'chime:AttendeeJoined bob',
      'chime:AttendeeLeft alice',
      'chime:AttendeeDropped bob',
      'chime:AttendeeJoined alice',
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        version: '0',
        'detail-type': 'Chime Meeting State Change',
        source: 'aws.chime',
        account: '123456789012',
        region: 'us-east-1',
        resources: [],
        detail: { version: '0', meetingId, externalMeetingId: 'webinar-w1', mediaRegion: 'eu-west-1' },
      });
      expect(e.id).toMatch(UUID);
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Math.abs(Date.parse(e.time) - e.detail.timestamp)).toBeLessThan(1_000);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[1]?.detail).toMatchObject({ attendeeId: a, externalUserId: 'alice', networkType: 'Voip' });
    expect(events[0]?.detail.attendeeId).toBeUndefined();
    const stamps = events.map((e) => e.detail.timestamp);
    expect([...stamps].sort((x, y) => x - y)).toEqual(stamps);

    const counters = shared.emu.counters();
    expect(counters.events).toMatchObject({ emitted: 6, delivered: 6, undelivered: 0 });
    expect(counters.events.byType['chime:AttendeeJoined']).toBe(3);
  });

  it('the admin routes follow the admin token, and unknown attendees are 404 with no event', async () => {
    const token = 'a-token-of-enough-length';
    const emu = await startEmulator({ adminToken: token, config: { rateLimits: { enabled: false } } });
    try {
      const url = `${emu.endpoint}/_emulator/meetings/m/attendees/a/drop`;
      expect((await fetch(url, { method: 'POST' })).status).toBe(401);
      const authorized = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      expect(authorized.status).toBe(404);
      expect(emu.counters().events.emitted).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it('DeleteAttendee of a connected attendee gives AttendeeLeft then AttendeeDeleted; of another only AttendeeDeleted', async () => {
    const m = await createMeeting(shared.client, { ExternalMeetingId: 'w2' });
    const meetingId = m.MeetingId ?? '';
    const a = await attendee(meetingId, 'alice');
    const b = await attendee(meetingId, 'bob');
    shared.emu.connect(meetingId, a);
    await shared.client.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: a }));
    await shared.client.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: b }));
    expect(kinds(await drainEvents(sqs, queueUrl))).toEqual([
      'chime:MeetingStarted',
      'chime:AttendeeJoined alice',
      'chime:AttendeeLeft alice',
      'chime:AttendeeDeleted alice',
      'chime:AttendeeDeleted bob',
    ]);
  });

  it('DeleteMeeting of a primary gives MeetingEnded for it and for each replica', async () => {
    const primary = await createMeeting(shared.client, { ExternalMeetingId: 'w3' });
    const replicas = [
      await createMeeting(shared.client, { ExternalMeetingId: 'w3', PrimaryMeetingId: primary.MeetingId }),
      await createMeeting(shared.client, { ExternalMeetingId: 'w3', PrimaryMeetingId: primary.MeetingId }),
    ];
    await shared.client.send(new DeleteMeetingCommand({ MeetingId: primary.MeetingId }));
    const events = await drainEvents(sqs, queueUrl);
    expect(events.map((e) => e.detail.eventType)).toEqual([
      'chime:MeetingEnded',
      'chime:MeetingEnded',
      'chime:MeetingEnded',
    ]);
    expect(events.map((e) => e.detail.meetingId).sort()).toEqual(
      [primary.MeetingId, ...replicas.map((r) => r.MeetingId)].sort(),
    );
    expect(events[0]?.detail.meetingId).toBe(primary.MeetingId);
    expect(events.every((e) => e.detail.externalMeetingId === 'w3')).toBe(true);
  });

  it('auto-end after idle time gives MeetingEnded stamped at the deadline, for the primary and its replica', async () => {
    const primary = await createMeeting(shared.client, { ExternalMeetingId: 'w4' });
    const replica = await createMeeting(shared.client, {
      ExternalMeetingId: 'w4',
      PrimaryMeetingId: primary.MeetingId,
    });
    const a = await attendee(primary.MeetingId ?? '', 'alice');
    shared.emu.connect(primary.MeetingId ?? '', a);
    shared.emu.disconnect(primary.MeetingId ?? '', a);
    await drainEvents(sqs, queueUrl);
    const idleFrom = Date.parse(shared.emu.state().now);
    shared.emu.advanceClock(10 * 60_000);
    const events = await drainEvents(sqs, queueUrl);
    expect(events.map((e) => [e.detail.eventType, e.detail.meetingId])).toEqual([
      ['chime:MeetingEnded', primary.MeetingId],
      ['chime:MeetingEnded', replica.MeetingId],
    ]);
    // Ended five idle minutes after the last leave, not when the sweep noticed.
    const ended = events[0]?.detail.timestamp ?? 0;
    expect(ended - idleFrom).toBeGreaterThanOrEqual(5 * 60_000 - 1_000);
    expect(ended - idleFrom).toBeLessThan(5 * 60_000 + 1_000);
  });

  it('auto-end at the maximum duration gives MeetingEnded although attendees are connected', async () => {
    const m = await createMeeting(shared.client, { ExternalMeetingId: 'w5' });
    const a = await attendee(m.MeetingId ?? '', 'alice');
    shared.emu.connect(m.MeetingId ?? '', a);
    shared.emu.advanceClock(25 * 3_600_000);
    expect(kinds(await drainEvents(sqs, queueUrl))).toEqual([
      'chime:MeetingStarted',
      'chime:AttendeeJoined alice',
      'chime:MeetingEnded',
    ]);
  });

  it("NotificationsConfiguration.SqsQueueArn: the meeting's events go to that queue too, once each", async () => {
    const own = await createQueue(sqs, 'webinar-own-events');
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: own, AttributeNames: ['QueueArn'] }),
    );
    const arn = attrs.Attributes?.QueueArn ?? '';
    expect(arn).toBe('arn:aws:sqs:us-east-1:123456789012:webinar-own-events');
    const m = await createMeeting(shared.client, { NotificationsConfiguration: { SqsQueueArn: arn } });
    await shared.client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
    expect((await drainEvents(sqs, own)).map((e) => e.detail.eventType)).toEqual(['chime:MeetingEnded']);
    expect((await drainEvents(sqs, queueUrl)).map((e) => e.detail.eventType)).toEqual(['chime:MeetingEnded']);

    // Naming the default queue itself delivers once, not twice.
    const defaultArn = 'arn:aws:sqs:us-east-1:123456789012:' + EVENTS_QUEUE;
    const twice = await createMeeting(shared.client, {
      NotificationsConfiguration: { SqsQueueArn: defaultArn },
    });
    await shared.client.send(new DeleteMeetingCommand({ MeetingId: twice.MeetingId }));
    expect(await drainEvents(sqs, queueUrl)).toHaveLength(1);
  });

  it('an SQS ARN of another Region, or not an SQS ARN, is BadRequest; one naming no queue here is accepted and its events dropped', async () => {
    const otherRegion = await rejection(
      createMeeting(shared.client, {
        NotificationsConfiguration: { SqsQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
      }),
    );
    expect(otherRegion).toBeInstanceOf(BadRequestException);
    const notSqs = await rejection(
      createMeeting(shared.client, {
        NotificationsConfiguration: { SqsQueueArn: 'arn:aws:sns:us-east-1:123456789012:topic' },
      }),
    );
    expect(notSqs).toBeInstanceOf(BadRequestException);

    shared.emu.configure({ events: { defaultQueues: { 'us-east-1': null } } });
    try {
      const m = await createMeeting(shared.client, {
        NotificationsConfiguration: { SqsQueueArn: 'arn:aws:sqs:us-east-1:999999999999:elsewhere' },
      });
      await shared.client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
      expect(shared.emu.counters().events).toMatchObject({ emitted: 1, delivered: 0, undelivered: 1 });
    } finally {
      shared.emu.configure({ events: { defaultQueues: { 'us-east-1': EVENTS_QUEUE } } });
    }
  });

  it('events.defaultQueues must map control Regions to queue names', async () => {
    const bad = await fetch(`${shared.emu.endpoint}/_emulator/config`, {
      method: 'PUT',
      body: JSON.stringify({ events: { defaultQueues: { 'eu-west-1': 'q', 'us-west-2': 'bad name' } } }),
    });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain('events.defaultQueues.eu-west-1 names no control Region');
    expect(error).toContain('events.defaultQueues.us-west-2 must be a queue name');
    expect(shared.emu.counters().queues.map((q) => q.name)).toEqual([EVENTS_QUEUE]);
  });

  it('events.duplicateRate puts an event on its queue twice with the same ID, reproducibly', async () => {
    shared.emu.configure({ events: { duplicateRate: 1 } });
    try {
      const m = await createMeeting(shared.client);
      await shared.client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
      const events = await drainEvents(sqs, queueUrl);
      expect(events).toHaveLength(2);
      expect(events[0]?.id).toBe(events[1]?.id);
      expect(shared.emu.counters().events).toMatchObject({ emitted: 1, delivered: 2, duplicated: 1 });
    } finally {
      shared.emu.configure({ events: { duplicateRate: 0 } });
    }
  });

  it('250 concurrent connects reach three long-polling consumers once each, none lost', async () => {
    const m = await createMeeting(shared.client, { ExternalMeetingId: 'w-many' });
    const meetingId = m.MeetingId ?? '';
    const ids: string[] = [];
    // A full meeting: 250 seats.
    for (const [from, count] of [
      [0, 100],
      [100, 100],
      [200, 50],
    ] as const) {
      const out = await shared.client.send(
        new BatchCreateAttendeeCommand({
          MeetingId: meetingId,
          Attendees: Array.from({ length: count }, (_, k) => ({ ExternalUserId: `u${from + k}` })),
        }),
      );
      ids.push(...(out.Attendees ?? []).map((a) => a.AttendeeId ?? ''));
    }
    const seen: MeetingEventEnvelope[] = [];
    let stop = false;
    const consumer = async (): Promise<void> => {
      while (!stop) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const got = out.Messages ?? [];
        if (got.length === 0) continue;
        seen.push(...got.map((msg) => JSON.parse(msg.Body ?? '') as MeetingEventEnvelope));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: got.map((msg, i) => ({ Id: `d${i}`, ReceiptHandle: msg.ReceiptHandle })),
          }),
        );
      }
    };
    const consumers = [consumer(), consumer(), consumer()];
    await Promise.all(ids.map((a) => admin(meetingId, a, 'connect')));
    const deadline = Date.now() + 10_000;
    while (seen.length < 251 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(consumers);
    expect(seen).toHaveLength(251);
    expect(new Set(seen.map((e) => e.id)).size).toBe(251);
    expect(
      new Set(
        seen.filter((e) => e.detail.eventType === 'chime:AttendeeJoined').map((e) => e.detail.attendeeId),
      ),
    ).toEqual(new Set(ids));
    expect(seen.filter((e) => e.detail.eventType === 'chime:MeetingStarted')).toHaveLength(1);
    expect(shared.emu.counters().queues.find((q) => q.name === EVENTS_QUEUE)).toMatchObject({
      visible: 0,
      inFlight: 0,
      deleted: 251,
    });
  });

  it('counters report queue depths, and reset empties them', async () => {
    const m = await createMeeting(shared.client);
    await shared.client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
    const depth = shared.emu.counters().queues.find((q) => q.name === EVENTS_QUEUE);
    expect(depth).toMatchObject({ region: 'us-east-1', visible: 1, inFlight: 0 });
    expect(shared.emu.state().queues).toHaveLength(1);
    shared.emu.reset();
    expect(shared.emu.counters().queues).toEqual([
      expect.objectContaining({ name: EVENTS_QUEUE, visible: 0, inFlight: 0 }),
    ]);
    expect(shared.emu.counters().events.emitted).toBe(0);
  });
});
