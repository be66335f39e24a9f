/**
 * Attendance and the primary's end from Chime's meeting events, on the time-skipping server: attendees connect
 * and disconnect through the emulator's admin API, the emulator puts its events on its SQS queue, and the test
 * hands them to the webinar as the events bridge does (one meetingEvents Signal per batch).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { PGlite } from '@electric-sql/pglite';
import { KeyRing, SqlCredentialStore, pgliteSql } from '../../activities/credentials';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  attendeeQuery,
  meetingEventsSignal,
  operatorUpdates,
  statusQuery,
} from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows/webinar';
import { sqsClientFor } from '../emulator/sqs-helpers';
import { queuedMeetingEvents, queueUrlOf } from '../support/meeting-event-feed';
import {
  useWebinarStack,
  waitForPublishedStatus,
  waitForStatus,
  webinarSpec,
  type WebinarStack,
} from '../support/webinar-stack';

const EVENTS_QUEUE = 'chime-meeting-events';
let store: SqlCredentialStore;
// Before the stack's own beforeAll, which hands the store to the workers.
beforeAll(async () => {
  store = await SqlCredentialStore.open(pgliteSql(await PGlite.create()), KeyRing.ephemeral());
});
const stackOf = useWebinarStack({
  server: 'time-skipping',
  emulator: { events: { defaultQueues: { 'us-east-1': EVENTS_QUEUE } } },
  credentials: () => store,
});
let stack: WebinarStack;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  stack = stackOf();
  sqs = sqsClientFor(stack.emulator);
  queueUrl = await queueUrlOf(sqs, EVENTS_QUEUE);
});
afterAll(async () => {
  sqs.destroy();
  await store?.close();
});
afterEach(() => {
  expect(stack.liveMeetings()).toBe(0);
  stack.emulator.reset();
});

const queuedEvents = () => queuedMeetingEvents(sqs, queueUrl);

async function ready(handle: WorkflowHandle): Promise<void> {
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY');
}

describe('attendance from meeting events', () => {
  it('counts who joined, dropped and left, exactly, whatever is delivered twice', async () => {
    // More viewers than the primary seats: the last ones go to the replica.
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      attendees: [
        { externalUserId: 'host-1', role: 'host' },
        ...Array.from({ length: 260 }, (_, i) => ({
          externalUserId: `viewer-${i}`,
          role: 'viewer' as const,
        })),
      ],
    });
    const handle = await stack.start(spec);
    await ready(handle);
    const where = async (externalUserId: string) => {
      const at = await handle.query(attendeeQuery, { externalUserId });
      return [at.meetingId, at.attendeeId] as const;
    };
    const primaryId = (await handle.query(statusQuery)).primary?.meetingId;
    const host = await where('host-1');
    const inPrimary = await where('viewer-0');
    const inReplica = await where('viewer-259');
    expect(inReplica[0]).not.toBe(primaryId);
    const emu = stack.emulator;
    for (const a of [host, inPrimary, inReplica]) emu.connect(...a);
    emu.advanceClock(30_000);
    emu.drop(...inPrimary);
    emu.advanceClock(10_000);
    emu.connect(...inPrimary);
    emu.advanceClock(20_000);
    emu.disconnect(...host);
    const events = await queuedEvents();
    // The primary's and the replica's MeetingStarted, three joins, a drop, a rejoin, a leave.
    expect(events.map((e) => e.type).sort()).toEqual(
      [
        'MeetingStarted',
        'MeetingStarted',
        'AttendeeJoined',
        'AttendeeJoined',
        'AttendeeJoined',
        'AttendeeDropped',
        'AttendeeJoined',
        'AttendeeLeft',
      ].sort(),
    );
    // Delivered twice, the second time in reverse order, and split across Signals.
    await handle.signal(meetingEventsSignal, { events });
    await handle.signal(meetingEventsSignal, { events: [...events].reverse().slice(0, 4) });
    await handle.signal(meetingEventsSignal, { events: [...events].reverse().slice(4) });

    const live = await waitForStatus(handle, (s) => s.attendance.joined === 3);
    expect(live.attendance).toEqual({ connected: 2, joined: 3, dropped: 1 });
    const memo = await waitForPublishedStatus(handle, (m) => m.attendance?.joined === 3);
    expect(memo.attendance).toEqual({ connected: 2, joined: 3, dropped: 1 });

    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    const outcome = await (handle as WorkflowHandle<typeof webinarWorkflow>).result();
    expect(outcome.attendance).toMatchObject({
      invited: 261,
      joined: 3,
      connected: 0,
      dropped: 1,
      events: { applied: events.length, duplicate: events.length, stale: 0, invalid: 0 },
    });
    // The host was connected 60 s of the emulator's time; the others until the teardown closed them.
    expect(outcome.attendance.connectedSeconds).toBeGreaterThanOrEqual(60 + 50 + 60);

    // The report: one row per attendee of the roster, in the store.
    const rows = await store.readAttendance(spec.webinarId);
    expect(outcome.attendance.stored).toBe(261);
    expect(rows).toHaveLength(261);
    const at = (type: string, user: string) =>
      new Date(events.find((e) => e.type === type && e.externalUserId === user)?.at ?? 0).toISOString();
    const byId = new Map(rows.map((r) => [r.externalUserId, r]));
    expect(byId.get('host-1')).toEqual({
      externalUserId: 'host-1',
      role: 'host',
      firstJoinAt: at('AttendeeJoined', 'host-1'),
      lastLeaveAt: at('AttendeeLeft', 'host-1'),
      connectedSeconds: 60,
      joins: 1,
      drops: 0,
    });
    expect(byId.get('viewer-0')).toMatchObject({
      firstJoinAt: at('AttendeeJoined', 'viewer-0'),
      joins: 2,
      drops: 1,
    });
    expect(byId.get('viewer-259')).toMatchObject({
      firstJoinAt: at('AttendeeJoined', 'viewer-259'),
      joins: 1,
      drops: 0,
    });
    expect(byId.get('viewer-7')).toEqual({
      externalUserId: 'viewer-7',
      role: 'viewer',
      firstJoinAt: null,
      lastLeaveAt: null,
      connectedSeconds: 0,
      joins: 0,
      drops: 0,
    });
  });

  it('provisions a new generation as soon as an event says the service ended the primary', async () => {
    const handle = await stack.start(webinarSpec(await stack.env.currentTimeMs()));
    await ready(handle);
    const before = await handle.query(statusQuery);
    await queuedEvents();
    // An idle primary auto-ends after 5 minutes of the emulator's time; its replicas end with it.
    stack.emulator.advanceClock(6 * 60_000);
    const ended = (await queuedEvents()).filter((e) => e.type === 'MeetingEnded');
    expect(ended.map((e) => e.meetingId)).toContain(before.primary?.meetingId);
    await handle.signal(meetingEventsSignal, { events: ended });

    const after = await waitForStatus(handle, (s) => s.generation === 2 && s.attendees.registered === 22);
    expect(after.primary?.meetingId).not.toBe(before.primary?.meetingId);
    // The first call after the Signal came within 2 s of workflow time, not at the next 60 s check.
    const history = (await handle.fetchHistory()).events ?? [];
    const at = (e: (typeof history)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000;
    const signalled = history.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
    const firstCall = history
      .slice(signalled)
      .find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name !== undefined);
    const signalEvent = history[signalled];
    if (!signalEvent || !firstCall) throw new Error('no Signal or no call after it in the history');
    expect(at(firstCall) - at(signalEvent)).toBeLessThan(2_000);
    expect(firstCall.activityTaskScheduledEventAttributes?.activityType?.name).not.toBe('getMeeting');
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});
