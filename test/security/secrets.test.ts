/**
 * Secrets and personal data after a full run (schedule → READY → promote → LIVE → end, with some injected
 * faults so the error paths log too): no JoinToken in the workflow history, in any worker/activity log line,
 * in the metrics text, in queries, search attributes or workflow IDs; no plaintext external user ID in logs,
 * metrics, search attributes or workflow IDs.
 */
import { ChimeSDKMeetingsClient, paginateListAttendees } from '@aws-sdk/client-chime-sdk-meetings';
import { Context } from '@temporalio/activity';
import { Runtime } from '@temporalio/worker';
import type { ChimeActivities } from '../../domain/chime';
import { createWebinarWorkers, type WebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets } from '../../worker/budget/config';
import { JsonLogger } from '../../worker/logging';
import { createWorkerMetrics } from '../../worker/metrics';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startTimeSkippingServer } from '../../tooling/temporal-servers';
import { attendeeQuery, operatorUpdates, statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CONTROL_REGION, waitForStatus, webinarBundle, webinarSpec } from '../support/webinar-stack';
import { fetchHistoryText } from './history-scan';

const logLines: string[] = [];
const consoleLines: string[] = [];
let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let workers: WebinarWorkers;
let running: Promise<void>;
const metrics = createWorkerMetrics();
/** The task token of every activity attempt: the SDK puts it in every activity log line's metadata. */
const taskTokens = new Set<string>();

function recordTaskTokens(activities: ChimeActivities): ChimeActivities {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (input: unknown) => {
        taskTokens.add(Context.current().info.base64TaskToken);
        return (fn as (i: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as ChimeActivities;
}

beforeAll(async () => {
  // The production logger, at the most verbose level, for the SDK, the workflows (via sinks) and activities.
  Runtime.install({
    logger: new JsonLogger({ level: 'TRACE', write: (line) => logLines.push(line) }),
    telemetryOptions: { logging: { filter: 'DEBUG', forward: {} } },
  });
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  emulator = await startEmulator({
    port: 0,
    config: {
      rateLimits: { enabled: false },
      faults: {
        seed: 3,
        operations: {
          CreateMeeting: { serviceFailureRate: 0.3 },
          BatchCreateAttendee: { serviceFailureRate: 0.5 },
          CreateAttendee: { serviceUnavailableRate: 0.5, retryAfterSeconds: 1 },
        },
      },
    },
  });
  env = await startTimeSkippingServer();
  workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue: `webinars-secrets-${process.pid}`,
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    workflowBundle: await webinarBundle(),
    budgets: parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: '1000' }),
    wrapActivities: (a) => recordTaskTokens(metrics.wrapActivities(a, CONTROL_REGION)),
  });
  running = workers.run();
});

afterAll(async () => {
  await workers?.shutdown();
  await running?.catch(() => undefined);
  await env?.teardown();
  await emulator?.close();
  jest.restoreAllMocks();
});

/** Every JoinToken the emulator handed out for the webinar's meetings, read with the real SDK. */
async function joinTokens(): Promise<string[]> {
  const client = new ChimeSDKMeetingsClient({
    region: CONTROL_REGION,
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const tokens: string[] = [];
  try {
    for (const m of emulator.state().meetings) {
      for await (const page of paginateListAttendees({ client, pageSize: 100 }, { MeetingId: m.meetingId })) {
        for (const a of page.Attendees ?? []) if (a.JoinToken) tokens.push(a.JoinToken);
      }
    }
  } finally {
    client.destroy();
  }
  return tokens;
}

it('leaks no JoinToken and no external user ID', async () => {
  const secretUser = 'zelda.secret-host';
  const spec = webinarSpec(await env.currentTimeMs(), {
    attendees: [
      { externalUserId: secretUser, role: 'host' },
      ...Array.from({ length: 300 }, (_, i) => ({
        externalUserId: `pii-viewer-${i}`,
        role: 'viewer' as const,
        region: i % 2 ? 'eu-west-1' : undefined,
      })),
    ],
  });
  const handle = await env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
    args: [spec],
    taskQueue: workers.taskQueue,
    workflowId: webinarWorkflowId(spec.webinarId),
  });
  await env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY', 60_000);
  expect(ready.attendees.registered + ready.attendees.failed).toBe(301);
  expect(ready.replicas.length).toBeGreaterThan(0);
  // A viewer seated in a replica: promoting it creates a second attendee (and JoinToken) in the primary.
  let replicaViewer = '';
  for (let i = 299; i > 0 && !replicaViewer; i -= 2) {
    const at = await handle.query(attendeeQuery, { externalUserId: `pii-viewer-${i}` });
    if (at.meetingId !== ready.primary?.meetingId) replicaViewer = `pii-viewer-${i}`;
  }
  expect(replicaViewer).not.toBe('');
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
  const queried = [
    JSON.stringify(await handle.query(statusQuery)),
    JSON.stringify(await handle.query(attendeeQuery, { externalUserId: secretUser })),
    JSON.stringify(await handle.query(attendeeQuery, { externalUserId: replicaViewer })),
  ].join('\n');

  const tokens = await joinTokens();
  expect(tokens.length).toBe(ready.attendees.registered + 1);
  expect(new Set(tokens).size).toBe(tokens.length);

  await env.sleep(120_000);
  await waitForStatus(handle, (s) => s.phase === 'LIVE');
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'done' }] });
  await handle.result();
  expect(emulator.state().meetings).toHaveLength(0);
  // The faults fired: the error paths were logged too.
  const ops = emulator.state().operations;
  expect((ops.BatchCreateAttendee?.failed ?? 0) + (ops.CreateMeeting?.failed ?? 0)).toBeGreaterThan(0);

  const history = await fetchHistoryText(handle);
  const logs = [...logLines, ...consoleLines].join('\n');
  const metricsText = await metrics.registry.metrics();
  const described = await handle.describe();
  const searchAttributes = JSON.stringify(described.searchAttributes);
  const ids = `${handle.workflowId} ${described.runId}`;

  expect(history.length).toBeGreaterThan(10_000);
  expect(logLines.length).toBeGreaterThan(20);
  expect(logs).toMatch(/chime batchCreateAttendee/); // activity lines were captured, error paths included
  expect(logs).toMatch(/chime \w+ failed: /);
  expect(metricsText).toMatch(/chime_calls_total\{operation="batchCreateAttendee"/);
  // The scan finds what is there: the external user IDs are in the history (the codec is off here).
  expect(history).toContain(secretUser);

  for (const token of tokens) {
    expect(history).not.toContain(token);
    expect(logs).not.toContain(token);
    expect(metricsText).not.toContain(token);
    expect(queried).not.toContain(token);
    expect(searchAttributes).not.toContain(token);
    expect(ids).not.toContain(token);
  }
  for (const text of [logs, metricsText, searchAttributes, ids]) {
    expect(text).not.toContain(secretUser);
    expect(text).not.toContain(replicaViewer);
  }
  expect(history).not.toMatch(/JoinToken/i);
  // The SDK's taskToken (it completes an activity from anywhere) is redacted on every activity line.
  expect(taskTokens.size).toBeGreaterThan(10);
  expect(logs).toMatch(/"taskToken":"\[redacted\]"/);
  for (const token of taskTokens) expect(logs).not.toContain(token);
});
