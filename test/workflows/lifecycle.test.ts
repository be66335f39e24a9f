/**
 * The webinar lifecycle on the time-skipping server with the emulator behind the real activities.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { attendeeQuery, operatorSignals, operatorUpdates, statusQuery } from '../../workflows/definitions';
import { useWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

const stackOf = useWebinarStack({ server: 'time-skipping' });
let stack: WebinarStack;

/** An Update's rejection: the validator's or handler's message is the cause of WorkflowUpdateFailedError. */
async function rejection(update: Promise<unknown>): Promise<string> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause?.message ?? '';
}

beforeEach(() => {
  stack = stackOf();
});

afterEach(() => {
  // Every test ends its webinars: nothing may be left in the emulator.
  expect(stack.liveMeetings()).toBe(0);
  stack.emulator.reset();
});

async function now(): Promise<number> {
  return stack.env.currentTimeMs();
}

/** Skips server time to just after the provisioning point and waits until the webinar is READY. */
async function skipToReady(handle: Parameters<typeof waitForStatus>[0], startInMs = 3600_000): Promise<void> {
  await stack.env.sleep(startInMs - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY');
}

describe('webinar lifecycle', () => {
  it('provisions a primary and replicas before the start, goes live at startAt and tears everything down at endAt', async () => {
    const spec = webinarSpec(await now());
    const handle = await stack.start(spec);

    const scheduled = await handle.query(statusQuery);
    expect(scheduled).toMatchObject({
      webinarId: spec.webinarId,
      phase: 'SCHEDULED',
      primary: null,
      generation: 1,
    });
    expect(stack.liveMeetings()).toBe(0);

    await skipToReady(handle);
    const ready = await handle.query(statusQuery);
    expect(ready.primary).toMatchObject({ region: 'us-east-1' });
    expect(ready.attendees).toEqual({ requested: 22, registered: 22, failed: 0 });
    expect(ready.speakers.sort()).toEqual(['host-1', 'speaker-1']);
    const meetings = stack.emulator.state().meetings;
    expect(meetings.filter((m) => m.role === 'primary')).toHaveLength(1);
    expect(meetings.reduce((n, m) => n + m.attendees, 0)).toBe(22);

    const host = await handle.query(attendeeQuery, { externalUserId: 'host-1' });
    expect(host).toMatchObject({ meetingId: ready.primary?.meetingId, role: 'host', region: 'us-east-1' });
    expect(JSON.stringify(host)).not.toMatch(/JoinToken/i);

    await stack.env.sleep(120_000);
    await waitForStatus(handle, (s) => s.phase === 'LIVE');

    const outcome = await handle.result();
    expect(outcome).toMatchObject({ phase: 'ENDED', webinarId: spec.webinarId, reason: 'ended at endAt' });
    expect((await handle.query(statusQuery)).phase).toBe('ENDED');
    expect(stack.emulator.state().totals.meetingsCreated).toBe(ready.replicas.length + 1);
  });

  it('rejects invalid input with a non-retryable ValidationError naming every bad field, before any Chime call', async () => {
    const spec = webinarSpec(await now(), {
      webinarId: 'bad-input',
      primaryRegion: 'mars-north-1',
      attendees: [{ externalUserId: 'x', role: 'viewer' }],
    });
    const handle = await stack.start(spec);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('ValidationError');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause?.message).toContain('primaryRegion');
    expect(cause?.message).toContain('attendees[0].externalUserId');
    expect(stack.emulator.state().totals.calls).toBe(0);
  });

  it('rejects a second start for the same webinar ID while it runs', async () => {
    const spec = webinarSpec(await now());
    const handle = await stack.start(spec);
    await expect(stack.start(spec)).rejects.toThrow(/already started/i);
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'test over' }] });
    await handle.result();
  });

  it('ends a scheduled webinar on endWebinar without creating any meeting', async () => {
    const handle = await stack.start(webinarSpec(await now()));
    const result = await handle.executeUpdate(operatorUpdates.endWebinar, {
      args: [{ reason: 'called off' }],
    });
    expect(result.ok).toBe(true);
    expect(await handle.result()).toMatchObject({ phase: 'ENDED', reason: 'called off' });
    expect(stack.emulator.state().totals.meetingsCreated).toBe(0);
  });

  it('tears down and reports CANCELLED when cancelled while READY', async () => {
    const handle = await stack.start(webinarSpec(await now()));
    await skipToReady(handle);
    expect(stack.liveMeetings()).toBeGreaterThan(0);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.query(statusQuery)).phase).toBe('CANCELLED');
  });

  it('fails with a clear error and deletes what it made when a quota is reached', async () => {
    stack.emulator.configure({ limits: { replicasPerPrimary: 0 } });
    const spec = webinarSpec(await now(), {
      maxReplicas: 2,
      attendees: Array.from({ length: 300 }, (_, i) => ({
        externalUserId: `v-${i}`,
        role: 'viewer' as const,
      })),
    });
    const handle = await stack.start(spec);
    await stack.env.sleep(3600_000);
    const err = await handle.result().catch((e: unknown) => e);
    stack.emulator.configure({ limits: { replicasPerPrimary: 4 } });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('WebinarFailed');
    expect(cause.message).toMatch(/PROVISIONING/);
    expect(cause.message).toMatch(/LimitExceeded|replica/i);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('FAILED');
    expect(status.lastError).toBeTruthy();
  });

  it('recovers from a primary the service ended by provisioning a new generation', async () => {
    const handle = await stack.start(webinarSpec(await now()));
    await skipToReady(handle);
    const before = await handle.query(statusQuery);
    // An idle primary auto-ends after 5 minutes of emulated time.
    stack.emulator.advanceClock(6 * 60_000);
    expect(stack.emulator.state().meetings).toHaveLength(0);
    await stack.env.sleep(61_000);
    const after = await waitForStatus(handle, (s) => s.generation === 2 && s.attendees.registered === 22);
    expect(after.primary?.meetingId).not.toBe(before.primary?.meetingId);
    expect(after.phase).toBe('READY');
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});

describe('operator actions', () => {
  it('promotes and demotes speakers in the primary and in a replica, and mutes everyone else', async () => {
    const spec = webinarSpec(await now(), {
      attendees: [
        { externalUserId: 'host-1', role: 'host' },
        ...Array.from({ length: 260 }, (_, i) => ({
          externalUserId: `viewer-${i}`,
          role: 'viewer' as const,
        })),
      ],
    });
    const handle = await stack.start(spec);
    await skipToReady(handle);
    const ready = await handle.query(statusQuery);
    expect(ready.replicas.length).toBeGreaterThanOrEqual(1);

    const inPrimary = await handle.query(attendeeQuery, { externalUserId: 'viewer-0' });
    expect(inPrimary.meetingId).toBe(ready.primary?.meetingId);
    const replicaViewer = 'viewer-259';
    const inReplica = await handle.query(attendeeQuery, { externalUserId: replicaViewer });
    expect(inReplica.meetingId).not.toBe(ready.primary?.meetingId);

    await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-0' }] });
    const promoted = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: replicaViewer }],
    });
    expect(promoted.detail).toMatch(/primary/);
    const credentials = await handle.query(attendeeQuery, { externalUserId: replicaViewer });
    expect(credentials.meetingId).toBe(ready.primary?.meetingId);
    expect((await handle.query(statusQuery)).speakers.sort()).toEqual(
      ['host-1', replicaViewer, 'viewer-0'].sort(),
    );

    const muted = await handle.executeUpdate(operatorUpdates.muteAllExcept, {
      args: [{ externalUserIds: ['host-1'] }],
    });
    expect(muted.ok).toBe(true);
    expect((await handle.query(statusQuery)).speakers).toEqual(['host-1']);

    await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
    await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
    const back = await handle.query(attendeeQuery, { externalUserId: replicaViewer });
    expect(back.meetingId).toBe(inReplica.meetingId);
    expect(stack.emulator.state().meetings.find((m) => m.role === 'primary')?.attendees).toBe(
      (await handle.query(statusQuery)).attendees.registered -
        ready.replicas.reduce((n, r) => n + r.attendees, 0),
    );

    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });

  it('rejects updates that fail validation with a message naming the problem, and records rejected signals', async () => {
    const handle = await stack.start(webinarSpec(await now()));
    expect(
      await rejection(
        handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-0' }] }),
      ),
    ).toMatch(/not allowed in phase SCHEDULED/);
    await skipToReady(handle);
    expect(
      await rejection(
        handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'nobody-here' }] }),
      ),
    ).toMatch(/nobody-here is not an attendee/);
    expect(
      await rejection(
        handle.executeUpdate(operatorUpdates.muteAllExcept, { args: [{ externalUserIds: [] }] }),
      ),
    ).toMatch(/externalUserIds/);

    await handle.signal(operatorSignals.demoteSpeaker, { externalUserId: 'ghost' });
    const status = await waitForStatus(handle, (s) => s.rejected.length > 0);
    expect(status.rejected[0]).toMatchObject({ action: 'demoteSpeaker' });
    expect(status.rejected[0]?.reason).toMatch(/ghost is not an attendee/);

    await handle.signal(operatorSignals.endWebinar, {});
    await handle.result();
  });

  it('queues attendees added before provisioning and registers late additions in batches while live', async () => {
    const handle = await stack.start(webinarSpec(await now()));
    const queued = await handle.executeUpdate(operatorUpdates.addAttendees, {
      args: [{ attendees: [{ externalUserId: 'early-bird', role: 'viewer' }] }],
    });
    expect(queued.detail).toMatch(/queued/);
    await skipToReady(handle);
    expect((await handle.query(statusQuery)).attendees.registered).toBe(23);

    const late = Array.from({ length: 150 }, (_, i) => ({
      externalUserId: `late-${i}`,
      role: 'viewer' as const,
    }));
    const added = await handle.executeUpdate(operatorUpdates.addAttendees, { args: [{ attendees: late }] });
    expect(added.detail).toMatch(/150 attendee\(s\) registered/);
    expect((await handle.query(statusQuery)).attendees).toEqual({
      requested: 173,
      registered: 173,
      failed: 0,
    });
    expect(
      await rejection(
        handle.executeUpdate(operatorUpdates.addAttendees, { args: [{ attendees: late.slice(0, 1) }] }),
      ),
    ).toMatch(/already an attendee/);

    await handle.executeUpdate(operatorUpdates.removeAttendee, { args: [{ externalUserId: 'late-0' }] });
    expect((await handle.query(statusQuery)).attendees.requested).toBe(172);
    await expect(handle.query(attendeeQuery, { externalUserId: 'late-0' })).rejects.toThrow(/No attendee/);

    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });

  it('moves the start on reschedule, re-arming the provisioning timer', async () => {
    const t0 = await now();
    const handle = await stack.start(webinarSpec(t0));
    const newStart = new Date(t0 + 3 * 3600_000).toISOString();
    const newEnd = new Date(t0 + 4 * 3600_000).toISOString();
    await handle.executeUpdate(operatorUpdates.reschedule, { args: [{ startAt: newStart, endAt: newEnd }] });
    await stack.env.sleep(3600_000);
    expect((await handle.query(statusQuery)).phase).toBe('SCHEDULED');
    expect(stack.liveMeetings()).toBe(0);
    await stack.env.sleep(2 * 3600_000 - 120_000);
    const ready = await waitForStatus(handle, (s) => s.phase === 'READY');
    expect(ready.startAt).toBe(newStart);
    expect(
      await rejection(handle.executeUpdate(operatorUpdates.reschedule, { args: [{ endAt: newStart }] })),
    ).toMatch(/endAt/);
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });

  it('starts transcription when the webinar goes live and stops it on request', async () => {
    const handle = await stack.start(
      webinarSpec(await now(), { transcription: { LanguageCode: 'en-US' } as never }),
    );
    await skipToReady(handle);
    expect((await handle.query(statusQuery)).transcription).toBe('OFF');
    await stack.env.sleep(120_000);
    const live = await waitForStatus(handle, (s) => s.phase === 'LIVE' && s.transcription === 'ON');
    expect(stack.emulator.state().meetings.find((m) => m.role === 'primary')?.transcription).toBe('ON');
    await handle.executeUpdate(operatorUpdates.stopTranscription, { args: [{}] });
    expect((await handle.query(statusQuery)).transcription).toBe('OFF');
    expect(await rejection(handle.executeUpdate(operatorUpdates.stopTranscription, { args: [{}] }))).toMatch(
      /not running/,
    );
    await handle.executeUpdate(operatorUpdates.startTranscription, {
      args: [{ LanguageCode: 'en-US' } as never],
    });
    expect((await handle.query(statusQuery)).transcription).toBe('ON');
    expect(live.phase).toBe('LIVE');
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});
