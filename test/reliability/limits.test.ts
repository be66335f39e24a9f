/**
 * The emulator's quotas reached on purpose: meetings per control Region, replicas per primary (mid-webinar),
 * seats per meeting. Each gives a clear failure (or recorded per-attendee failures) and a clean teardown, and
 * never a hang (each test is bounded by its timeout).
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { operatorUpdates, statusQuery } from '../../workflows/definitions';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'time-skipping' });
});

afterAll(async () => {
  await stack?.shutdown();
});

afterEach(() => {
  expect(stack.liveMeetings()).toBe(0);
  stack.emulator.configure({
    limits: { concurrentMeetings: 250, replicasPerPrimary: 4, attendeesPerMeeting: 250 },
  });
  stack.emulator.reset();
});

const viewers = (n: number, prefix = 'v') =>
  Array.from({ length: n }, (_, i) => ({ externalUserId: `${prefix}-${i}`, role: 'viewer' as const }));

it('meeting quota: the second webinar fails clearly during provisioning and deletes what it made; the first is untouched', async () => {
  // Webinar A needs 1 meeting, webinar B needs 3; the control Region admits 3 at once.
  stack.emulator.configure({ limits: { concurrentMeetings: 3 } });
  const now = await stack.env.currentTimeMs();
  const a = await stack.start(webinarSpec(now, { replicaRegions: [], attendees: viewers(20, 'a') }));
  const b = await stack.start(
    webinarSpec(now, {
      startAt: new Date(now + 3600_000 + 60_000).toISOString(),
      replicaRegions: [],
      attendees: viewers(600, 'b'),
    }),
  );
  await stack.env.sleep(3600_000 - 120_000 + 61_000 + 1_000);
  const err = await b.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('WebinarFailed');
  expect(cause.message).toMatch(/failed during PROVISIONING/);
  expect(cause.message).toMatch(/LimitExceeded|concurrent|limit/i);
  const bStatus = await b.query(statusQuery);
  expect(bStatus.phase).toBe('FAILED');
  expect(bStatus.primary).toBeNull();
  expect(bStatus.replicas).toEqual([]);

  const aStatus = await waitForStatus(a, (s) => s.phase === 'READY' || s.phase === 'LIVE');
  expect(aStatus.attendees).toEqual({ requested: 20, registered: 20, failed: 0 });
  expect(stack.liveMeetings()).toBe(1);
  await a.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await a.result();
}, 60_000);

it('replica quota reached mid-webinar: addAttendees that needs a new replica is refused clearly, the webinar goes on and tears down', async () => {
  const now = await stack.env.currentTimeMs();
  const handle = await stack.start(webinarSpec(now, { replicaRegions: [], attendees: viewers(300) }));
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY');
  expect(ready.replicas).toHaveLength(1);
  // The account's quota turns out lower than the webinar's maxReplicas.
  stack.emulator.configure({ limits: { replicasPerPrimary: 1 } });
  const result = await handle.executeUpdate(operatorUpdates.addAttendees, {
    args: [{ attendees: viewers(300, 'late') }],
  });
  // Those who fit are registered; those who needed the refused replica are failed, with the reason.
  expect(result.detail).toMatch(/failed \(LimitExceededException\)/);
  const status = await handle.query(statusQuery);
  expect(status.phase).toBe('READY');
  expect(status.lastError).toMatch(/service quota exceeded \(LimitExceededException; not a throttle/);
  expect(status.attendees.requested).toBe(status.attendees.registered + status.attendees.failed);
  expect(stack.emulator.state().meetings.filter((m) => m.role === 'replica')).toHaveLength(1);
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  expect(await handle.result()).toMatchObject({ phase: 'ENDED' });
}, 60_000);

// Late attendees whose new replica the service refuses (LimitExceeded) are recorded as failed, the rest go on:
// nobody is left pending (this was a bug: they stayed 'pending' forever and a retry was rejected).
it('replica quota reached mid-webinar: no attendee is left in limbo (requested = registered + failed)', async () => {
  const now = await stack.env.currentTimeMs();
  const handle = await stack.start(webinarSpec(now, { replicaRegions: [], attendees: viewers(300) }));
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY');
  stack.emulator.configure({ limits: { replicasPerPrimary: 1 } });
  await handle
    .executeUpdate(operatorUpdates.addAttendees, { args: [{ attendees: viewers(300, 'late') }] })
    .catch(() => undefined);
  const status = await handle.query(statusQuery);
  try {
    expect(status.attendees.requested).toBe(status.attendees.registered + status.attendees.failed);
  } finally {
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  }
}, 60_000);

it('seat quota lower than planned: per-attendee LimitExceeded failures are recorded, the rest register, teardown is clean', async () => {
  stack.emulator.configure({ limits: { attendeesPerMeeting: 100 } });
  const now = await stack.env.currentTimeMs();
  const handle = await stack.start(webinarSpec(now, { replicaRegions: [], attendees: viewers(240) }));
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'FAILED');
  expect(ready.phase).toBe('READY');
  expect(ready.attendees.requested).toBe(240);
  expect(ready.attendees.registered).toBe(100);
  expect(ready.attendees.failed).toBe(140);
  expect(stack.emulator.state().meetings.reduce((n, m) => n + m.attendees, 0)).toBe(100);
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  expect(await handle.result()).toMatchObject({
    phase: 'ENDED',
    attendees: { requested: 240, registered: 100, failed: 140 },
  });
}, 60_000);
