/**
 * What the events bridge's tests run on, all real: the emulator over HTTP (its events queue read with the real
 * SQS client), a Temporal dev server, and a worker of the recorder workflow (test/fixtures/meeting-events-recorder.ts)
 * standing in for webinars under their workflow IDs. Payloads go through the workers' data converter, as in
 * production. The dev server refuses Signals past MAX_SIGNALS per workflow: a real refusal that is not a
 * not-found, for the tests of failing Signals.
 */
import { BatchCreateAttendeeCommand, CreateMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { startEventsBridge, type EventsBridge } from '../../client/events-bridge/bridge';
import { DEFAULT_TUNING, type BridgeTuning } from '../../client/events-bridge/config';
import type { LogEntry } from '../../client/events-bridge/log';
import { bridgeMetrics } from '../../client/events-bridge/metrics';
import { eventsQueue, type EventsQueue } from '../../client/events-bridge/queue';
import { dataConverterFromEnvironment } from '../../client/temporal/data-converter';
import { webinarWorkflowId } from '../../workflows/definitions';
import { startDevServer } from '../../tooling/temporal-servers';
import { clientFor, startTestEmulator } from '../emulator/helpers';
import { sqsClientFor } from '../emulator/sqs-helpers';
import { recordedBatches } from '../fixtures/meeting-events-recorder';
import type { RunningEmulator } from '../../emulator';

export const EVENTS_QUEUE = 'chime-meeting-events';
export const DLQ = 'chime-meeting-events-dlq';
export const TASK_QUEUE = 'events-bridge-test';
export const MAX_SIGNALS = 40;

/** Short waits and timeouts: a test takes seconds. */
export const TEST_TUNING: BridgeTuning = {
  ...DEFAULT_TUNING,
  maxTries: 3,
  pollers: 3,
  waitSeconds: 1,
  visibilitySeconds: 5,
  signalTimeoutMs: 1_500,
};

export interface Harness {
  env: TestWorkflowEnvironment;
  client: Client;
  emu: RunningEmulator;
  sqs: SQSClient;
  /** Every line every bridge of the file logged, and every /metrics text read: checked for identifiers. */
  logs: LogEntry[];
  seen: string[];
  queueUrl(): Promise<string>;
  /** Creates the dead-letter queue and the events queue's RedrivePolicy (maxReceiveCount) to it. */
  deadLetterQueue(maxReceiveCount: number): Promise<string>;
  /** A bridge on the events queue; `client` replaces the dev server's (e.g. one whose server is gone). */
  bridge(tuning?: Partial<BridgeTuning>, dlqUrl?: string, client?: Client): Promise<EventsBridge>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [env, emu] = await Promise.all([
    startDevServer({ dynamicConfig: { 'history.maximumSignalsPerExecution': MAX_SIGNALS } }),
    startTestEmulator({ events: { defaultQueues: { 'us-east-1': EVENTS_QUEUE } } }),
  ]);
  const dataConverter = dataConverterFromEnvironment({});
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../fixtures/meeting-events-recorder'),
    dataConverter,
  });
  const running = worker.run();
  const client = new Client({ connection: env.connection, dataConverter });
  const sqs = sqsClientFor(emu);
  const logs: LogEntry[] = [];
  const bridges: EventsBridge[] = [];
  const queues: EventsQueue[] = [];
  const queueUrl = async (name = EVENTS_QUEUE): Promise<string> =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  return {
    env,
    client,
    emu,
    sqs,
    logs,
    seen: [],
    queueUrl,
    async deadLetterQueue(maxReceiveCount) {
      const created = await sqs.send(new CreateQueueCommand({ QueueName: DLQ }));
      const arn = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: await queueUrl(),
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: arn.Attributes?.QueueArn,
              maxReceiveCount,
            }),
          },
        }),
      );
      return created.QueueUrl ?? '';
    },
    async bridge(tuning = {}, dlqUrl, other) {
      const settings = {
        queueUrl: await queueUrl(),
        region: 'us-east-1',
        endpoint: emu.endpoint,
        ...(dlqUrl ? { dlqUrl } : {}),
      };
      const queue = eventsQueue(settings, sqsClientFor(emu));
      queues.push(queue);
      const bridge = startEventsBridge({
        client: other ?? client,
        queue,
        tuning: { ...TEST_TUNING, ...tuning },
        metrics: bridgeMetrics(),
        log: (entry) => logs.push(entry),
      });
      bridges.push(bridge);
      return bridge;
    },
    async close() {
      await Promise.all(bridges.map((b) => b.stop({ flush: false })));
      for (const queue of queues) queue.close();
      worker.shutdown();
      await running;
      sqs.destroy();
      await emu.close();
      await env.teardown();
    },
  };
}

/** Starts the recorder as the webinar's workflow. */
export async function startWebinar(h: Harness, webinarId: string): Promise<void> {
  await h.client.workflow.start('meetingEventsRecorder', {
    taskQueue: TASK_QUEUE,
    workflowId: webinarWorkflowId(webinarId),
  });
}

export async function batchesOf(h: Harness, webinarId: string): Promise<string[][]> {
  return h.client.workflow.getHandle(webinarWorkflowId(webinarId)).query(recordedBatches);
}

/** When the server accepted each meetingEvents Signal of the webinar (ms), from its history. */
export async function signalTimes(h: Harness, webinarId: string): Promise<number[]> {
  const history = await h.client.workflow.getHandle(webinarWorkflowId(webinarId)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'meetingEvents')
    .map((e) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6));
}

/** A meeting of the webinar with `count` attendees (at most 250, the service's limit); their IDs are remembered as identifiers never to log. */
export async function meetingWithAttendees(
  h: Harness,
  webinarId: string,
  count: number,
): Promise<{ meetingId: string; attendeeIds: string[] }> {
  const chime = clientFor(h.emu);
  try {
    const created = await chime.send(
      new CreateMeetingCommand({
        ClientRequestToken: randomUUID(),
        MediaRegion: 'us-east-1',
        ExternalMeetingId: webinarId,
      }),
    );
    const meetingId = created.Meeting?.MeetingId ?? '';
    const attendeeIds: string[] = [];
    for (let i = 0; i < count; i += 100) {
      const out = await chime.send(
        new BatchCreateAttendeeCommand({
          MeetingId: meetingId,
          Attendees: Array.from({ length: Math.min(100, count - i) }, (_, j) => ({
            ExternalUserId: `person-${webinarId}-${String(i + j)}`,
          })),
        }),
      );
      if ((out.Errors ?? []).length > 0)
        throw new Error(`BatchCreateAttendee: ${out.Errors?.[0]?.ErrorCode}`);
      for (const a of out.Attendees ?? []) {
        attendeeIds.push(a.AttendeeId ?? '');
        h.seen.push(a.AttendeeId ?? '', a.ExternalUserId ?? '', a.JoinToken ?? '');
      }
    }
    return { meetingId, attendeeIds };
  } finally {
    chime.destroy();
  }
}

/** Connects (or disconnects) attendees through the emulator's admin API over HTTP, `inFlight` at a time. */
export async function admin(
  h: Harness,
  meetingId: string,
  attendeeIds: readonly string[],
  action: 'connect' | 'disconnect' | 'drop',
  inFlight = 16,
): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < attendeeIds.length) {
      const id = attendeeIds[next++] ?? '';
      const res = await fetch(`${h.emu.endpoint}/_emulator/meetings/${meetingId}/attendees/${id}/${action}`, {
        method: 'POST',
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${action}: ${String(res.status)}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, one));
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Messages the queue holds, visible or in flight. */
export async function queueDepth(h: Harness, url: string): Promise<number> {
  const out = await h.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** A counter's value from a bridge's metrics. */
export async function metric(
  bridge: EventsBridge,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const all = await bridge.metrics.registry.getMetricsAsJSON();
  const m = all.find((x) => x.name === name);
  const values = (m?.values ?? []) as { value: number; labels: Record<string, unknown> }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((a, v) => a + v.value, 0);
}
