/**
 * Everyday failures on the time-skipping server with the emulator behind the real activities: a teardown whose
 * DeleteMeeting keeps failing, two operators racing for the same action, and pollers asking `status` of a run
 * whose input was invalid.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { operatorSignals, operatorUpdates, statusQuery } from '../../workflows/definitions';
import { useWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

const stackOf = useWebinarStack({ server: 'time-skipping' });
let stack: WebinarStack;

beforeEach(() => {
  stack = stackOf();
});

afterEach(() => {
  stack.emulator.configure({ faults: { operations: {} }, limits: { replicasPerPrimary: 4 } });
  expect(stack.liveMeetings()).toBe(0);
  stack.emulator.reset();
});

function deleteMeetingFails(rate: number): void {
  stack.emulator.configure({ faults: { operations: { DeleteMeeting: { serviceFailureRate: rate } } } });
}

describe('a teardown whose DeleteMeeting keeps failing', () => {
  it('goes to TEARDOWN_FAILED with the meetings left, keeps the original error, and finishes on retryTeardown', async () => {
    // Provisioning fails (no replica allowed) after the primary exists; then every DeleteMeeting fails.
    stack.emulator.configure({ limits: { replicasPerPrimary: 0 } });
    deleteMeetingFails(1);
    const spec = webinarSpec(await stack.env.currentTimeMs(), {
      maxReplicas: 2,
      attendees: Array.from({ length: 300 }, (_, i) => ({
        externalUserId: `v-${i}`,
        role: 'viewer' as const,
      })),
    });
    const handle = await stack.start(spec);
    // Provisioning at +58 min; DeleteMeeting is retried for its 10-minute schedule-to-close.
    await stack.env.sleep(3600_000 + 12 * 60_000);
    const failed = await waitForStatus(handle, (s) => s.phase === 'TEARDOWN_FAILED');
    expect(failed.lastError).toMatch(/LimitExceeded|replica/i);
    expect(failed.lastError).not.toMatch(/^teardown/);
    expect(failed.teardownFailure).toMatchObject({ attempts: 1 });
    expect(failed.teardownFailure?.error).toMatch(/deleteMeeting|DeleteMeeting|ServiceFailure/);
    expect(failed.teardownFailure?.meetingsLeft).toEqual([failed.primary]);
    expect(stack.liveMeetings()).toBe(1);
    // Dashboards find it by the search attribute.
    expect((await handle.describe()).searchAttributes.WebinarPhase).toEqual(['TEARDOWN_FAILED']);

    // A retry while the service still refuses fails again, and says so.
    await handle.signal(operatorSignals.retryTeardown, {});
    await stack.env.sleep(12 * 60_000);
    const again = await waitForStatus(handle, (s) => s.teardownFailure?.attempts === 2);
    expect(again.phase).toBe('TEARDOWN_FAILED');
    expect(again.lastError).toBe(failed.lastError);

    deleteMeetingFails(0);
    const retried = await handle.executeUpdate(operatorUpdates.retryTeardown, { args: [{}] });
    expect(retried.ok).toBe(true);
    expect(retried.detail).toMatch(/every meeting deleted/);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('WebinarFailed');
    expect(cause.message).toMatch(/failed during PROVISIONING/);
    expect(cause.message).toMatch(/LimitExceeded|replica/i);
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('FAILED');
    expect(status.teardownFailure).toBeUndefined();
    expect(status.lastError).toBe(failed.lastError);
  });

  it('refuses retryTeardown while no teardown has failed', async () => {
    const handle = await stack.start(webinarSpec(await stack.env.currentTimeMs()));
    const err = await handle
      .executeUpdate(operatorUpdates.retryTeardown, { args: [{}] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(
      /retryTeardown is not allowed in phase SCHEDULED/,
    );
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});

describe('checks that depend on state are made again under the lock', () => {
  it('two concurrent startTranscription Updates: one starts it, the other is cleanly rejected', async () => {
    const handle = await stack.start(webinarSpec(await stack.env.currentTimeMs()));
    await stack.env.sleep(3600_000 + 1_000);
    await waitForStatus(handle, (s) => s.phase === 'LIVE');
    // The first call takes a while, so the second is accepted (its validator sees OFF) and waits for the lock.
    stack.emulator.configure({ faults: { operations: { StartMeetingTranscription: { latencyMs: 1_500 } } } });
    const start = () =>
      handle.executeUpdate(operatorUpdates.startTranscription, {
        args: [{ LanguageCode: 'en-US' } as never],
      });
    const results = await Promise.allSettled([start(), start()]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (rejected[0] as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.message).toMatch(/startTranscription: transcription is already ON/);
    expect(cause.type).toBe('ActionRejected');
    // Both were accepted: the rejection came from the check made again under the lock.
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(2);
    expect(stack.emulator.state().operations.StartMeetingTranscription?.calls).toBe(1);
    expect((await handle.query(statusQuery)).transcription).toBe('ON');
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});

describe('status answers for every run', () => {
  it('a run whose input failed validation answers status with phase FAILED and lastError', async () => {
    const spec = webinarSpec(await stack.env.currentTimeMs(), { primaryRegion: 'mars-north-1' });
    const handle = await stack.start(spec);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({
      webinarId: spec.webinarId,
      phase: 'FAILED',
      startAt: spec.startAt,
      primary: null,
      replicas: [],
    });
    expect(status.lastError).toMatch(/primaryRegion/);
    expect((await handle.describe()).searchAttributes.WebinarPhase).toEqual(['FAILED']);
  });

  it('even when the input is not an object at all', async () => {
    const handle = await stack.env.client.workflow.start('webinarWorkflow', {
      args: ['not a webinar'],
      taskQueue: stack.taskQueue,
      workflowId: `webinar-not-an-object-${Date.now()}`,
    });
    await handle.result().catch(() => undefined);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'FAILED', webinarId: '' });
    expect(status.lastError).toMatch(/input/);
  });
});
