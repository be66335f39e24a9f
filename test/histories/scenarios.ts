/**
 * The representative webinar scenarios whose real runs are recorded into test/histories/ (this folder), for the
 * replay test (test/workflows/replay.test.ts). Test fixtures: `npm run record-histories`
 * (scripts/record-histories.ts) runs them.
 *
 * Runs on the dev server (real time) with the emulator, except the new-generation scenario, which needs the
 * 60-second meeting check and so runs on the time-skipping server. Re-record after a deliberate, patched()
 * change to the workflow; never to make a failing replay pass.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { sendOperatorAction } from '../../client/library/operator-actions';
import { attendeeQuery } from '../../workflows/definitions';
import { OPERATORS_PAUSE_MS } from '../../workflows/continuation';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';
import type { WebinarSpec } from '../../domain/types';
import { ATTENDED_EVENTS_QUEUE, runAttended } from './attended-scenario';

const OUT = __dirname;
/** Past the events a provisioning of 601 attendees records, and before the SCHEDULED run's. */
const SUGGEST_AFTER_EVENTS = 30;

/** A webinar that starts provisioning about a second after it is scheduled and lasts `liveMs`. */
function soon(overrides: Partial<WebinarSpec> = {}, liveMs = 600_000): WebinarSpec {
  const now = Date.now();
  return webinarSpec(now, {
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 3_000 + liveMs).toISOString(),
    provisionLeadSeconds: 2,
    ...overrides,
  });
}

async function save(
  stack: WebinarStack,
  name: string,
  handle: WorkflowHandleWithFirstExecutionRunId,
  out = OUT,
): Promise<void> {
  await handle.result().catch(() => undefined);
  // A continued-as-new webinar has several runs: record each, oldest first.
  const runs: { runId: string; startTime: number }[] = [];
  if (!stack.env.supportsTimeSkipping) {
    // The time-skipping server has no visibility API; its scenarios never continue as new.
    const query = `WorkflowId = '${handle.workflowId}'`;
    for await (const execution of stack.env.client.workflow.list({ query })) {
      runs.push({ runId: execution.runId, startTime: execution.startTime.getTime() });
    }
  }
  if (runs.length === 0) runs.push({ runId: handle.firstExecutionRunId, startTime: 0 });
  runs.sort((a, b) => a.startTime - b.startTime);
  for (const [i, run] of runs.entries()) {
    const history = await stack.env.client.workflow.getHandle(handle.workflowId, run.runId).fetchHistory();
    const file = join(out, `${name}${runs.length > 1 ? `.run${i + 1}` : ''}.json`);
    writeFileSync(file, historyToJSON(history));
    console.log(`recorded ${file} (${history.events?.length ?? 0} events)`);
  }
}

async function withStack(
  options: Parameters<typeof startWebinarStack>[0],
  fn: (stack: WebinarStack) => Promise<void>,
): Promise<void> {
  const stack = await startWebinarStack(options);
  try {
    await fn(stack);
    if (stack.liveMeetings() !== 0) throw new Error(`${stack.liveMeetings()} meeting(s) leaked`);
  } finally {
    await stack.shutdown();
  }
}

/** Runs every scenario and writes its history (each run of it) to test/histories/<scenario>.json. */
export async function recordHistories(): Promise<void> {
  mkdirSync(OUT, { recursive: true });

  await withStack({ server: 'dev' }, async (stack) => {
    // Every operator action on a webinar with replicas and transcription, ending at its endAt.
    const spec = soon(
      {
        webinarId: 'rec-full-lifecycle',
        transcription: { LanguageCode: 'en-US' } as WebinarSpec['transcription'],
        attendees: [
          { externalUserId: 'host-1', role: 'host' },
          { externalUserId: 'speaker-1', role: 'speaker' },
          ...Array.from({ length: 260 }, (_, i) => ({
            externalUserId: `viewer-${i}`,
            role: 'viewer' as const,
          })),
        ],
      },
      30_000,
    );
    const handle = await stack.start(spec);
    await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
    await sendOperatorAction(handle, 'addAttendees', {
      attendees: [{ externalUserId: 'late-1', role: 'viewer', region: 'eu-west-1' }],
    });
    await sendOperatorAction(handle, 'promoteSpeaker', { externalUserId: 'viewer-0' });
    await sendOperatorAction(handle, 'promoteSpeaker', { externalUserId: 'viewer-259' });
    await handle.query(attendeeQuery, { externalUserId: 'viewer-259' });
    await sendOperatorAction(handle, 'muteAllExcept', { externalUserIds: ['host-1', 'viewer-259'] });
    await sendOperatorAction(handle, 'demoteSpeaker', { externalUserId: 'viewer-259' });
    await sendOperatorAction(handle, 'removeAttendee', { externalUserId: 'viewer-1' });
    await sendOperatorAction(handle, 'stopTranscription', {});
    await sendOperatorAction(handle, 'startTranscription', { LanguageCode: 'en-US' });
    await sendOperatorAction(handle, 'demoteSpeaker', { externalUserId: 'nobody' }, { fireAndForget: true });
    await sendOperatorAction(handle, 'reschedule', { endAt: new Date(Date.now() + 2_000).toISOString() });
    await save(stack, 'full-lifecycle', handle);

    const early = await stack.start(
      soon({
        webinarId: 'rec-end-while-scheduled',
        startAt: new Date(Date.now() + 3600_000).toISOString(),
        endAt: new Date(Date.now() + 7200_000).toISOString(),
      }),
    );
    await sendOperatorAction(early, 'addAttendees', {
      attendees: [{ externalUserId: 'queued-1', role: 'viewer' }],
    });
    await sendOperatorAction(early, 'reschedule', { startAt: new Date(Date.now() + 5400_000).toISOString() });
    await sendOperatorAction(early, 'endWebinar', { reason: 'called off' });
    await save(stack, 'end-while-scheduled', early);

    const cancelled = await stack.start(
      soon({
        webinarId: 'rec-cancel-while-ready',
        startAt: new Date(Date.now() + 60_000).toISOString(),
        provisionLeadSeconds: 58,
      }),
    );
    await waitForStatus(cancelled, (s) => s.phase === 'READY', 30_000);
    await cancelled.cancel();
    await save(stack, 'cancel-while-ready', cancelled);

    const invalid = await stack.start(
      soon({ webinarId: 'rec-invalid-input', primaryRegion: 'mars-north-1' }),
    );
    await save(stack, 'invalid-input', invalid);

    stack.emulator.configure({ limits: { replicasPerPrimary: 0 } });
    const quota = await stack.start(
      soon({
        webinarId: 'rec-replica-quota',
        attendees: Array.from({ length: 300 }, (_, i) => ({
          externalUserId: `v-${i}`,
          role: 'viewer' as const,
        })),
      }),
    );
    await save(stack, 'replica-quota-failure', quota);
    stack.emulator.configure({ limits: { replicasPerPrimary: 4 } });

    // A late add that meets a replica refusal (patched('late-replica-failure-is-per-attendee')): the account's
    // replica quota turns out lower than maxReplicas mid-webinar; those who fit register, the rest fail.
    const refused = await stack.start(
      soon(
        {
          webinarId: 'rec-late-replica-refused',
          replicaRegions: [],
          attendees: Array.from({ length: 300 }, (_, i) => ({
            externalUserId: `v-${i}`,
            role: 'viewer' as const,
          })),
        },
        60_000,
      ),
    );
    await waitForStatus(refused, (s) => s.phase === 'LIVE' && s.attendees.registered === 300, 30_000);
    stack.emulator.configure({ limits: { replicasPerPrimary: 1 } });
    const added = await sendOperatorAction(refused, 'addAttendees', {
      attendees: Array.from({ length: 300 }, (_, i) => ({
        externalUserId: `late-${i}`,
        role: 'viewer' as const,
      })),
    });
    if (!added.detail.includes('failed (LimitExceededException)')) {
      throw new Error(`late-replica-refused: the replica was not refused (${added.detail})`);
    }
    await sendOperatorAction(refused, 'endWebinar', { reason: 'recorded' });
    await save(stack, 'late-replica-refused', refused);
    stack.emulator.configure({ limits: { replicasPerPrimary: 4 } });
  });

  await withStack(
    { server: 'dev', devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } } },
    async (stack) => {
      const handle = await stack.start(soon({ webinarId: 'rec-continue-as-new' }));
      await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
      // Back to back, the history doubles before operators pause: the hand-over cannot wait.
      for (let i = 0; i < 12; i++) {
        await sendOperatorAction(handle, 'promoteSpeaker', { externalUserId: 'viewer-3' });
        await sendOperatorAction(handle, 'demoteSpeaker', { externalUserId: 'viewer-3' });
      }
      // Then past the suggestion in the current run, and a pause: the hand-over goes ahead once operators have
      // been still (continuation.ts).
      const current = () => stack.env.client.workflow.getHandle(handle.workflowId).describe();
      for (let i = 0; (await current()).historyLength < 70; i++) {
        await sendOperatorAction(handle, i % 2 ? 'demoteSpeaker' : 'promoteSpeaker', { externalUserId: 'viewer-3' });
      }
      const paused = (await current()).runId;
      await new Promise((resolve) => setTimeout(resolve, OPERATORS_PAUSE_MS + 3_000));
      if ((await current()).runId === paused) {
        throw new Error('continue-as-new: the run did not continue once operators paused');
      }
      await sendOperatorAction(handle, 'endWebinar', {});
      await save(stack, 'continue-as-new', handle);
    },
  );

  await recordContinueBeforeReady();
  await recordAttended();

  await withStack({ server: 'time-skipping' }, async (stack) => {
    const spec = webinarSpec(await stack.env.currentTimeMs(), { webinarId: 'rec-new-generation' });
    const handle = await stack.start(spec);
    await stack.env.sleep(3600_000 - 119_000);
    await waitForStatus(handle, (s) => s.phase === 'READY');
    stack.emulator.advanceClock(6 * 60_000);
    await stack.env.sleep(61_000);
    await waitForStatus(handle, (s) => s.generation === 2 && s.attendees.registered === 22);
    await sendOperatorAction(handle, 'endWebinar', {});
    await save(stack, 'new-generation', handle);

    // Teardown that keeps failing (patched('teardown-failure-waits-for-operator')): TEARDOWN_FAILED after the
    // 10-minute schedule-to-close of DeleteMeeting, then an operator's retryTeardown once the service recovers.
    const failing = await stack.start(
      webinarSpec(await stack.env.currentTimeMs(), { webinarId: 'rec-teardown-failed' }),
    );
    await stack.env.sleep(3600_000 - 119_000);
    await waitForStatus(failing, (s) => s.phase === 'READY');
    stack.emulator.configure({ faults: { operations: { DeleteMeeting: { serviceFailureRate: 1 } } } });
    await sendOperatorAction(failing, 'endWebinar', {}, { fireAndForget: true });
    await stack.env.sleep(12 * 60_000);
    await waitForStatus(failing, (s) => s.phase === 'TEARDOWN_FAILED');
    stack.emulator.configure({ faults: { operations: { DeleteMeeting: { serviceFailureRate: 0 } } } });
    await sendOperatorAction(failing, 'retryTeardown', {});
    await save(stack, 'teardown-failed', failing);
  });
}

/**
 * A webinar whose registration passes the server's continue-as-new suggestion: it continues as new at the end
 * of provisioning, before READY, and its second run publishes READY (workflows/continuation.ts).
 */
export async function recordContinueBeforeReady(): Promise<void> {
  await withStack(
    { server: 'dev', devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS } } },
    async (stack) => {
      const viewers = Array.from({ length: 600 }, (_, i) => ({
        externalUserId: `viewer-${i}`,
        role: 'viewer' as const,
        region: i % 2 ? 'eu-west-1' : undefined,
      }));
      const handle = await stack.start(
        soon({
          webinarId: 'rec-continue-before-ready',
          attendees: [{ externalUserId: 'host-1', role: 'host' }, ...viewers],
        }),
      );
      await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
      await sendOperatorAction(handle, 'promoteSpeaker', { externalUserId: 'viewer-1' });
      await sendOperatorAction(handle, 'endWebinar', {});
      await save(stack, 'continue-before-ready', handle);
    },
  );
}

/** The attended scenario (attended-scenario.ts) into `out`/attended.json. */
export async function recordAttended(out = OUT): Promise<void> {
  mkdirSync(out, { recursive: true });
  const emulator = { events: { defaultQueues: { 'us-east-1': ATTENDED_EVENTS_QUEUE } } };
  await withStack({ server: 'dev', emulator }, async (stack) => {
    await save(stack, 'attended', await runAttended(stack), out);
  });
}
