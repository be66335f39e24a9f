/**
 * Integration on the dev server (real time, real task-queue rate limits) with the emulator: paths where the
 * time-skipping server is a poor fit, such as cancelling while activities are in flight.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { attendeeQuery, operatorUpdates, statusQuery } from '../../workflows/definitions';
import {
  startWebinarStack,
  waitForAttendee,
  waitForStatus,
  webinarSpec,
  type WebinarStack,
} from '../support/webinar-stack';

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'dev' });
});

afterAll(async () => {
  await stack?.shutdown();
});

/** A webinar that starts provisioning about a second from now. */
function soonSpec(attendees: number) {
  const now = Date.now();
  return webinarSpec(now, {
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: 2,
    attendees: Array.from({ length: attendees }, (_, i) => ({
      externalUserId: `v-${i}`,
      role: 'viewer' as const,
    })),
  });
}

it('leaves nothing behind when cancelled during provisioning', async () => {
  stack.emulator.configure({ faults: { operations: { BatchCreateAttendee: { latencyMs: 2_000 } } } });
  try {
    const handle = await stack.start(soonSpec(450));
    await waitForStatus(handle, (s) => s.phase === 'PROVISIONING' && s.primary !== null);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.query(statusQuery)).phase).toBe('CANCELLED');
    expect(stack.liveMeetings()).toBe(0);
  } finally {
    stack.emulator.configure({ faults: { operations: { BatchCreateAttendee: { latencyMs: 0 } } } });
  }
});

it('runs a webinar from schedule to end in real time, with search attributes following the phase', async () => {
  const now = Date.now();
  const spec = soonSpec(30);
  spec.endAt = new Date(now + 6_000).toISOString();
  const handle = await stack.start(spec);
  const live = await waitForStatus(handle, (s) => s.phase === 'LIVE', 20_000);
  const described = await handle.describe();
  expect(described.searchAttributes).toMatchObject({ WebinarId: [spec.webinarId], WebinarPhase: ['LIVE'] });
  // Every meeting Chime holds names its webinar (not the title), so what Chime reports leads back to it.
  const ours = new Set([live.primary?.meetingId, ...live.replicas.map((r) => r.meetingId)]);
  const named = stack.emulator.state().meetings.filter((m) => ours.has(m.meetingId));
  expect(named.map((m) => m.externalMeetingId)).toEqual([...ours].map(() => spec.webinarId));
  expect(await handle.result()).toMatchObject({
    phase: 'ENDED',
    attendees: { requested: 30, registered: 30 },
  });
  expect(stack.liveMeetings()).toBe(0);
});

it('registers attendees added while provisioning before the webinar is READY', async () => {
  stack.emulator.configure({ faults: { operations: { BatchCreateAttendee: { latencyMs: 1_000 } } } });
  try {
    const handle = await stack.start(soonSpec(300));
    await waitForStatus(handle, (s) => s.phase === 'PROVISIONING' && s.primary !== null);
    const added = await handle.executeUpdate(operatorUpdates.addAttendees, {
      args: [{ attendees: [{ externalUserId: 'mid-provisioning', role: 'viewer', region: 'eu-west-1' }] }],
    });
    expect(added.detail).toMatch(/queued/);
    const ready = await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE', 20_000);
    expect(ready.attendees).toEqual({ requested: 301, registered: 301, failed: 0 });
    expect(await handle.query(attendeeQuery, { externalUserId: 'mid-provisioning' })).toMatchObject({
      role: 'viewer',
    });
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
    expect(stack.liveMeetings()).toBe(0);
  } finally {
    stack.emulator.configure({ faults: { operations: { BatchCreateAttendee: { latencyMs: 0 } } } });
  }
});

it('lets an operator promote a registered attendee while the rest of the roster is still being registered', async () => {
  stack.emulator.configure({
    faults: { operations: { BatchCreateAttendee: { latencyMs: 1_500 } } },
    limits: { replicasPerPrimary: 6 },
  });
  try {
    // 18 batches of 100 with at most 16 in flight: registration runs in two waves.
    const spec = { ...soonSpec(1_740), maxReplicas: 6 };
    const handle = await stack.start(spec);
    // Batches finish in any order, so a first registered attendee does not mean v-0 is registered yet.
    const registered = (await waitForAttendee(handle, 'v-0', 20_000)).meetingId;
    expect(registered).toBeTruthy();
    const promoted = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: 'v-0' }],
    });
    expect(promoted.ok).toBe(true);
    const during = await handle.query(statusQuery);
    expect(during.phase).toBe('PROVISIONING');
    expect(during.speakers).toContain('v-0');
    await waitForStatus(handle, (s) => s.attendees.registered === 1_740, 30_000);
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
    expect(stack.liveMeetings()).toBe(0);
  } finally {
    stack.emulator.configure({
      faults: { operations: { BatchCreateAttendee: { latencyMs: 0 } } },
      limits: { replicasPerPrimary: 4 },
    });
  }
});
