/**
 * Issue #15 on the time-skipping server with the emulator behind the real activities:
 * - a teardown is one DeleteMeeting (deleting a primary deletes its replicas), and nothing leaks on the
 *   failure paths either (a replica refused after the primary exists; a primary the service refuses);
 * - every call the workflow schedules carries its tier (CALL_PRIORITY) and the webinar's fairness key, as the
 *   server stored it in the history: the primary and the presenters critical, replicas and viewers bulk,
 *   teardown last; the presenters' batches are scheduled before any viewer's;
 * - `status.presentersReady` says when the webinar can start;
 * - placement needs no more meetings than ceil(attendees / 250) plus the rule's stated allowance.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { floorMeetings, PLACEMENT_ALLOWANCE } from '../../domain/seats';
import { CALL_PRIORITY, webinarFairnessKey } from '../../domain/budget';
import { DEFAULT_PROMOTION_RESERVE } from '../../domain/limits';
import { operatorUpdates, statusQuery } from '../../workflows/definitions';
import { useWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const stackOf = useWebinarStack({ server: 'time-skipping' });
let stack: WebinarStack;

beforeEach(() => {
  stack = stackOf();
  stack.emulator.reset();
});

afterEach(() => {
  stack.emulator.configure({ limits: { replicasPerPrimary: 4 } });
  const left = stack.liveMeetings();
  stack.emulator.reset();
  expect(left).toBe(0);
});

const viewers = (n: number, region?: string) =>
  Array.from({ length: n }, (_, i) => ({
    externalUserId: `v-${region ?? 'any'}-${i}`,
    role: 'viewer' as const,
    ...(region ? { region } : {}),
  }));

const presenters = [
  { externalUserId: 'host-1', role: 'host' as const },
  { externalUserId: 'speaker-1', role: 'speaker' as const },
  { externalUserId: 'speaker-2', role: 'speaker' as const },
];

/** DeleteMeeting calls the emulator answered (or refused) so far. */
const deleteCalls = (): number => stack.emulator.state().operations.DeleteMeeting?.calls ?? 0;

/** Skips to just after provisioning starts (120 s lead before a start one hour out) and waits for READY. */
async function ready(handle: Parameters<typeof waitForStatus>[0], registered: number) {
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  return waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === registered);
}

interface Scheduled {
  eventId: number;
  activity: string;
  input: Record<string, unknown>;
  priorityKey: number;
  fairnessKey: string;
}

function scheduledCalls(events: HistoryEvent[]): Scheduled[] {
  return events.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !a) return [];
    const payload = a.input?.payloads?.[0];
    return [
      {
        eventId: Number(e.eventId),
        activity: a.activityType?.name ?? '',
        input: payload ? defaultPayloadConverter.fromPayload(payload) : {},
        priorityKey: a.priority?.priorityKey ?? 0,
        fairnessKey: a.priority?.fairnessKey ?? '',
      },
    ];
  });
}

describe('teardown', () => {
  it('ends a webinar with replicas with 1 DeleteMeeting call and 0 live meetings', async () => {
    // 600 viewers without a Region: the primary (240 and its promotion headroom) and two replicas.
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      replicaRegions: [],
      attendees: [...presenters, ...viewers(600)],
    });
    const handle = await stack.start(spec);
    const status = await ready(handle, 603);
    expect(status.replicas).toHaveLength(2);
    expect(stack.liveMeetings()).toBe(3);

    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
    expect(deleteCalls()).toBe(1);
    expect(stack.emulator.state().operations.DeleteMeeting).toMatchObject({ calls: 1, succeeded: 1 });
    expect(stack.liveMeetings()).toBe(0);
    expect((await handle.query(statusQuery)).replicas).toEqual([]);
  });

  it('leaks nothing when a replica is refused after the primary and a first replica exist (1 DeleteMeeting)', async () => {
    // The account allows 1 replica; the plan needs 2: provisioning fails with two meetings in place.
    stack.emulator.configure({ limits: { replicasPerPrimary: 1 } });
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      replicaRegions: [],
      maxReplicas: 4,
      attendees: [...presenters, ...viewers(600)],
    });
    const handle = await stack.start(spec);
    await stack.env.sleep(3600_000 - 120_000 + 1_000);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failed = await handle.query(statusQuery);
    expect(failed.phase).toBe('FAILED');
    expect(failed.lastError).toMatch(/LimitExceeded|replica/i);
    expect(stack.emulator.state().totals.meetingsCreated).toBe(2);
    expect(deleteCalls()).toBe(1);
    expect(stack.liveMeetings()).toBe(0);
  });

  it('leaks nothing and deletes nothing when the primary cannot be created', async () => {
    // Every CreateMeeting fails: the primary's creation gives up at its 10-minute schedule-to-close.
    stack.emulator.configure({ faults: { operations: { CreateMeeting: { serviceFailureRate: 1 } } } });
    const spec = webinarSpec(await stack.env.currentTimeMs(), { attendees: [...presenters, ...viewers(20)] });
    const handle = await stack.start(spec);
    await stack.env.sleep(3600_000 - 120_000 + 12 * 60_000);
    const err = await handle.result().catch((e: unknown) => e);
    stack.emulator.configure({ faults: { operations: { CreateMeeting: { serviceFailureRate: 0 } } } });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.query(statusQuery)).primary).toBeNull();
    expect(stack.emulator.state().totals.meetingsCreated).toBe(0);
    expect(deleteCalls()).toBe(0);
    expect(stack.liveMeetings()).toBe(0);
  });
});

describe('critical path first', () => {
  it('schedules the primary and the presenters critical, replicas and viewers bulk, teardown last, all under the webinar fairness key', async () => {
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      replicaRegions: [],
      attendees: [...viewers(500), ...presenters],
    });
    const handle = await stack.start(spec);
    const status = await ready(handle, 503);
    expect(status.presentersReady).toBe(true);
    expect(status.presenters).toEqual({ requested: 3, registered: 3, failed: 0 });
    await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'v-any-0' }] });
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();

    const calls = scheduledCalls((await handle.fetchHistory()).events ?? []);
    const primaryId = status.primary?.meetingId;
    const tierOf = (c: Scheduled): number => c.priorityKey;
    const creates = calls.filter((c) => c.activity === 'createMeeting');
    expect(creates.map((c) => [c.input.primaryMeetingId === undefined, tierOf(c)])).toEqual([
      [true, CALL_PRIORITY.critical],
      ...status.replicas.map(() => [false, CALL_PRIORITY.bulk]),
    ]);

    const batches = calls.filter((c) => c.activity === 'batchCreateAttendee');
    const presenterIds = new Set(presenters.map((p) => p.externalUserId));
    const idsOf = (c: Scheduled) =>
      (c.input.attendees as { externalUserId: string }[]).map((a) => a.externalUserId);
    const isPresenterBatch = (c: Scheduled) => idsOf(c).some((id) => presenterIds.has(id));
    const presenterBatches = batches.filter(isPresenterBatch);
    const viewerBatches = batches.filter((c) => !isPresenterBatch(c));
    // One batch holds every presenter, topped up with primary viewers to 100 (it costs one call either way).
    expect(presenterBatches).toHaveLength(1);
    expect(idsOf(presenterBatches[0] as Scheduled)).toHaveLength(100);
    expect(idsOf(presenterBatches[0] as Scheduled).slice(0, presenters.length)).toEqual([...presenterIds]);
    expect(presenterBatches[0]?.input.meetingId).toBe(primaryId);
    expect(presenterBatches[0]?.priorityKey).toBe(CALL_PRIORITY.critical);
    // The other 403 viewers in batches of at most 100 per meeting, none with a presenter, all at the bulk tier:
    // 503 attendees in 3 meetings need ceil(250 / 100) + ceil(250 / 100) + 1 = 7 batches, the presenters' one too.
    const seated = viewerBatches.reduce((n, c) => n + idsOf(c).length, 0);
    expect(seated).toBe(403);
    expect(batches).toHaveLength(7);
    expect(new Set(viewerBatches.map(tierOf))).toEqual(new Set([CALL_PRIORITY.bulk]));
    // The presenters' step is scheduled ahead of every viewer's batch.
    const firstViewerBatch = Math.min(...viewerBatches.map((c) => c.eventId));
    expect(presenterBatches[0]?.eventId).toBeLessThan(firstViewerBatch);

    const promote = calls.filter((c) => c.activity === 'updateAttendeeCapabilities');
    expect(promote.map(tierOf)).toEqual([CALL_PRIORITY.operator]);
    const deletes = calls.filter((c) => c.activity === 'deleteMeeting');
    expect(deletes.map((c) => [c.input.meetingId, tierOf(c)])).toEqual([[primaryId, CALL_PRIORITY.teardown]]);
    expect(new Set(calls.map((c) => c.fairnessKey))).toEqual(new Set([webinarFairnessKey(spec.webinarId)]));
  });

  it('reports presentersReady only once the primary exists and its hosts and speakers are registered', async () => {
    const spec = webinarSpec(await stack.env.currentTimeMs(), { attendees: [...presenters, ...viewers(5)] });
    const handle = await stack.start(spec);
    const scheduled = await handle.query(statusQuery);
    expect(scheduled).toMatchObject({
      phase: 'SCHEDULED',
      presentersReady: false,
      presenters: { requested: 3, registered: 0, failed: 0 },
    });
    const status = await ready(handle, 8);
    expect(status).toMatchObject({ presentersReady: true, presenters: { requested: 3, registered: 3 } });
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
    expect((await handle.query(statusQuery)).presentersReady).toBe(false);
  });
});

describe('placement in the workflow', () => {
  it('seats the demo roster (3,000 attendees over 3 Regions) in ceil((attendees + reserve) / 250) meetings plus the allowance at most', async () => {
    // The demo's shape: viewers spread over three Regions; eu-west-1's remainder (1,011 − 4 × 250 = 11
    // viewers) would hold a replica of its own nearly empty.
    const attendees = [
      ...presenters,
      ...viewers(1_489, 'us-east-1'),
      ...viewers(1_011, 'eu-west-1'),
      ...viewers(497, 'ap-southeast-1'),
    ];
    stack.emulator.configure({ limits: { replicasPerPrimary: 20 } });
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      replicaRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      maxReplicas: 20,
      attendees,
    });
    const handle = await stack.start(spec);
    const status = await ready(handle, attendees.length);
    const meetings = 1 + status.replicas.length;
    // The primary's promotion reserve counts as seats taken.
    const seats = attendees.length + DEFAULT_PROMOTION_RESERVE;
    expect(meetings).toBeLessThanOrEqual(floorMeetings(seats) + PLACEMENT_ALLOWANCE);
    // For this roster the rule needs no allowance: 13 meetings, ceil(3,010 / 250)
    // (test/domain/placement.test.ts has the rule's other cases).
    expect(meetings).toBe(floorMeetings(seats));
    expect(stack.emulator.state().totals.meetingsCreated).toBe(meetings);
    expect(status.attendees).toEqual({
      requested: attendees.length,
      registered: attendees.length,
      failed: 0,
    });
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
    expect(deleteCalls()).toBe(1);
  });
});
