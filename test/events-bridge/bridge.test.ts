/**
 * The events bridge end to end: attendees connect through the emulator's admin API, the emulator puts the
 * events on its queue, the bridge (the real SQS client over HTTP) signals the recorder workflows on a real dev
 * server, and deletes what was accepted. Rates are checked on the server's own history times.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { MAX_EVENTS_PER_SIGNAL } from '../../domain/meeting-events';
import { DEAD_LETTER_DETAIL_ATTRIBUTE, DEAD_LETTER_REASON_ATTRIBUTE } from '../../client/events-bridge/queue';
import type { LogEntry } from '../../client/events-bridge/log';
import { webinarWorkflowId } from '../../workflows/definitions';
import {
  admin,
  batchesOf,
  eventually,
  MAX_SIGNALS,
  meetingWithAttendees,
  metric,
  queueDepth,
  signalTimes,
  startHarness,
  startWebinar,
  type Harness,
} from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());
beforeEach(() => h.emu.reset());

const union = (batches: string[][]): Set<string> => new Set(batches.flat());

/** Server-side gaps between one webinar's Signals, in ms. */
const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] ?? 0));

it('a burst of 2,000 events reaches its webinars grouped, at most one Signal per second each, all deleted', async () => {
  const bridge = await h.bridge();
  // A webinar's meetings (the primary and its replicas) all carry its ID: 6 x 240 and 3 x 200 attendees.
  const webinars = [
    { webinarId: 'burst-a', meetings: 6, attendees: 240 },
    { webinarId: 'burst-b', meetings: 3, attendees: 200 },
  ];
  const meetings = (
    await Promise.all(
      webinars.map(async (w) => {
        await startWebinar(h, w.webinarId);
        return Promise.all(
          Array.from({ length: w.meetings }, () => meetingWithAttendees(h, w.webinarId, w.attendees)),
        );
      }),
    )
  ).flat();
  await Promise.all(meetings.map((m) => admin(h, m.meetingId, m.attendeeIds, 'connect', 4)));
  expect(h.emu.counters().events.emitted).toBe(6 * 241 + 3 * 201);
  for (const w of webinars) {
    // Every join and each meeting's start, of this webinar only.
    const expected = w.meetings * (w.attendees + 1);
    await eventually(`${w.webinarId}'s events`, async () =>
      union(await batchesOf(h, w.webinarId)).size === expected ? true : undefined,
    );
    const batches = await batchesOf(h, w.webinarId);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(MAX_EVENTS_PER_SIGNAL);
    for (const gap of gaps(await signalTimes(h, w.webinarId))) expect(gap).toBeGreaterThanOrEqual(950);
  }
  const queueUrl = await h.queueUrl();
  await eventually('an empty queue', async () => ((await queueDepth(h, queueUrl)) === 0 ? true : undefined));
  await bridge.stop();
  const received = await metric(bridge, 'events_bridge_messages_received_total');
  expect(received).toBe(h.emu.counters().events.delivered);
  expect(await metric(bridge, 'events_bridge_messages_deleted_total')).toBe(received);
  expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'failed' })).toBe(0);
});

it("a webinar's batches waiting behind its rate keep their messages: none comes back before it is deleted", async () => {
  // 31 meetings x 240 joins at once (connected in process: a burst the admin API's HTTP would spread): four
  // Signals' worth, so the last batch waits about four seconds, longer than the bridge's three-second
  // visibility timeout (the bridge lengthens it by the backlog at each receive, and extends what still waits).
  await startWebinar(h, 'crowded');
  const meetings = await Promise.all(
    Array.from({ length: 31 }, () => meetingWithAttendees(h, 'crowded', 240)),
  );
  const bridge = await h.bridge({ visibilitySeconds: 3, signalTimeoutMs: 1_000, pollers: 4 });
  for (const m of meetings) for (const id of m.attendeeIds) h.emu.connect(m.meetingId, id);
  const expected = 31 * 241;
  await eventually('every event', async () =>
    union(await batchesOf(h, 'crowded')).size === expected ? true : undefined,
  );
  const batches = await batchesOf(h, 'crowded');
  expect(batches.length).toBeGreaterThanOrEqual(4);
  expect(Math.max(...batches.map((b) => b.length))).toBe(MAX_EVENTS_PER_SIGNAL);
  for (const gap of gaps(await signalTimes(h, 'crowded'))) expect(gap).toBeGreaterThanOrEqual(950);
  await bridge.stop();
  expect(await metric(bridge, 'events_bridge_messages_redelivered_total')).toBe(0);
  expect(await metric(bridge, 'events_bridge_messages_deleted_total')).toBe(expected);
});

it('killed and restarted mid-stream, with duplicate deliveries: every event arrives, none is lost or invented', async () => {
  h.emu.configure({ events: { duplicateRate: 0.3 } });
  try {
    await startWebinar(h, 'restart');
    const [one, two] = await Promise.all([
      meetingWithAttendees(h, 'restart', 150),
      meetingWithAttendees(h, 'restart', 150),
    ]);
    if (!one || !two) throw new Error('no meetings');
    const first = await h.bridge({ visibilitySeconds: 2 });
    await admin(h, one.meetingId, one.attendeeIds, 'connect', 4);
    await eventually('a first Signal', async () =>
      (await metric(first, 'events_bridge_signals_total', { outcome: 'accepted' })) > 0 ? true : undefined,
    );
    // Killed: what it holds is neither signalled nor deleted; it comes again after its visibility timeout.
    await first.stop({ flush: false });
    await admin(h, two.meetingId, two.attendeeIds, 'connect', 4);
    await admin(h, one.meetingId, one.attendeeIds.slice(0, 50), 'disconnect', 4);
    const restartedAt = Date.now();
    const second = await h.bridge({ visibilitySeconds: 2 });
    const { emitted, duplicated } = h.emu.counters().events;
    expect(duplicated).toBeGreaterThan(0);
    const ids = await eventually(
      'every event',
      async () => {
        const got = union(await batchesOf(h, 'restart'));
        return got.size >= emitted ? got : undefined;
      },
      60_000,
    );
    // Exact: as many distinct IDs as events emitted (IDs are unique per event, duplicates share them).
    expect(ids.size).toBe(emitted);
    const queueUrl = await h.queueUrl();
    await eventually('an empty queue', async () =>
      (await queueDepth(h, queueUrl)) === 0 ? true : undefined,
    );
    await second.stop();
    // What the first one held came again to the second.
    expect(await metric(second, 'events_bridge_messages_redelivered_total')).toBeGreaterThan(0);
    expect(union(await batchesOf(h, 'restart')).size).toBe(emitted);
    // The rate is each bridge's: the fresh one knows nothing of the Signals its predecessor sent.
    const afterRestart = (await signalTimes(h, 'restart')).filter((t) => t >= restartedAt);
    expect(afterRestart.length).toBeGreaterThan(1);
    for (const gap of gaps(afterRestart)) expect(gap).toBeGreaterThanOrEqual(950);
  } finally {
    h.emu.configure({ events: { duplicateRate: 0 } });
  }
});

it('a poison message goes to the dead-letter queue with its reason while the rest keep flowing', async () => {
  const dlqUrl = await h.deadLetterQueue(5);
  const bridge = await h.bridge({}, dlqUrl);
  await startWebinar(h, 'poisoned');
  const m = await meetingWithAttendees(h, 'poisoned', 20);
  const queueUrl = await h.queueUrl();
  await h.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not an event {' }));
  await admin(h, m.meetingId, m.attendeeIds, 'connect', 4);
  await eventually('the events', async () =>
    union(await batchesOf(h, 'poisoned')).size === 21 ? true : undefined,
  );
  const dead = await h.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }),
  );
  expect(dead.Messages?.map((x) => x.Body)).toEqual(['not an event {']);
  expect(dead.Messages?.[0]?.MessageAttributes?.[DEAD_LETTER_REASON_ATTRIBUTE]?.StringValue).toBe(
    'malformed',
  );
  expect(dead.Messages?.[0]?.MessageAttributes?.[DEAD_LETTER_DETAIL_ATTRIBUTE]?.StringValue).toBe(
    'the body is not JSON',
  );
  expect(await metric(bridge, 'events_bridge_dead_lettered_total', { reason: 'malformed' })).toBe(1);
  expect(await metric(bridge, 'events_bridge_malformed_messages_total')).toBe(1);
  expect(h.logs.filter((l) => l.event === 'dead-lettered' && l.reason === 'malformed')).toHaveLength(1);
  await eventually('an empty queue', async () => ((await queueDepth(h, queueUrl)) === 0 ? true : undefined));
  await bridge.stop();
});

it("without a dead-letter queue of its own the bridge leaves a poison message to the queue's RedrivePolicy", async () => {
  const dlqUrl = await h.deadLetterQueue(2);
  const bridge = await h.bridge({ visibilitySeconds: 1 });
  const queueUrl = await h.queueUrl();
  await h.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"not":"an event"}' }));
  const dead = await eventually('the redriven message', async () => {
    const got = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
    return got.Messages;
  });
  expect(dead.map((x) => x.Body)).toEqual(['{"not":"an event"}']);
  await bridge.stop();
  // Received twice (maxReceiveCount 2), left both times, moved by the queue on the third receive.
  expect(await metric(bridge, 'events_bridge_malformed_messages_total')).toBe(2);
  expect(await metric(bridge, 'events_bridge_dead_lettered_total')).toBe(0);
});

it('a message whose Signal keeps being refused goes to the dead-letter queue after its tries, not round and round', async () => {
  const dlqUrl = await h.deadLetterQueue(5);
  // The server refuses this workflow's Signals once it has MAX_SIGNALS: a refusal that is not a not-found.
  await startWebinar(h, 'refusing');
  const handle = h.client.workflow.getHandle(webinarWorkflowId('refusing'));
  for (let i = 0; i < MAX_SIGNALS; i++) await handle.signal('meetingEvents', { events: [] });
  await startWebinar(h, 'flowing');
  const bridge = await h.bridge({ maxTries: 2, visibilitySeconds: 1, signalTimeoutMs: 1_000 }, dlqUrl);
  const refused = await meetingWithAttendees(h, 'refusing', 2);
  const flowing = await meetingWithAttendees(h, 'flowing', 5);
  await admin(h, refused.meetingId, refused.attendeeIds, 'connect', 2);
  await admin(h, flowing.meetingId, flowing.attendeeIds, 'connect', 2);
  const dead = await eventually('the refused events in the dead-letter queue', async () => {
    const n = await metric(bridge, 'events_bridge_dead_lettered_total', { reason: 'max-tries' });
    return n >= 3 ? n : undefined;
  });
  expect(dead).toBe(3);
  expect(union(await batchesOf(h, 'flowing')).size).toBe(6);
  const got = await h.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  expect(got.Messages?.map((x) => x.MessageAttributes?.[DEAD_LETTER_REASON_ATTRIBUTE]?.StringValue)).toEqual([
    'max-tries',
    'max-tries',
    'max-tries',
  ]);
  expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'failed' })).toBeGreaterThan(0);
  expect(h.logs.some((l) => l.event === 'signal-failed' && l.webinarId === 'refusing')).toBe(true);
  const queueUrl = await h.queueUrl();
  await eventually('an empty queue', async () => ((await queueDepth(h, queueUrl)) === 0 ? true : undefined));
  await bridge.stop();
});

it('with Temporal unreachable nothing is deleted; each message is dead-lettered after its tries', async () => {
  const dlqUrl = await h.deadLetterQueue(5);
  // Nothing listens on port 1: every Signal fails in the gRPC client, within the Signal's deadline.
  const gone = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const bridge = await h.bridge({ maxTries: 2, visibilitySeconds: 1, signalTimeoutMs: 300 }, dlqUrl, gone);
  try {
    const m = await meetingWithAttendees(h, 'unreachable', 1);
    await admin(h, m.meetingId, m.attendeeIds, 'connect', 1);
    // At least once: on a loaded machine a 1 s visibility can lapse mid-move, and a second poller moves it too.
    await eventually('both events dead-lettered', async () =>
      (await metric(bridge, 'events_bridge_dead_lettered_total', { reason: 'max-tries' })) >= 2
        ? true
        : undefined,
    );
    expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(
      2,
    );
    expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'accepted' })).toBe(0);
    expect(await metric(bridge, 'events_bridge_messages_deleted_total')).toBe(0);
    await eventually('an empty queue', async () =>
      (await queueDepth(h, await h.queueUrl())) === 0 ? true : undefined,
    );
  } finally {
    await bridge.stop({ flush: false });
    await gone.connection.close();
  }
});

it('events of a webinar with no workflow are late: deleted, counted, logged once', async () => {
  const bridge = await h.bridge();
  const m = await meetingWithAttendees(h, 'nobody-home', 8);
  await admin(h, m.meetingId, m.attendeeIds.slice(0, 4), 'connect', 2);
  await eventually('the first late events', async () =>
    (await metric(bridge, 'events_bridge_late_events_total')) === 5 ? true : undefined,
  );
  await admin(h, m.meetingId, m.attendeeIds.slice(4), 'connect', 2);
  await admin(h, m.meetingId, m.attendeeIds.slice(0, 4), 'disconnect', 2);
  await eventually('every late event', async () =>
    (await metric(bridge, 'events_bridge_late_events_total')) === 13 ? true : undefined,
  );
  const queueUrl = await h.queueUrl();
  await eventually('an empty queue', async () => ((await queueDepth(h, queueUrl)) === 0 ? true : undefined));
  expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'late' })).toBeGreaterThanOrEqual(2);
  expect(h.logs.filter((l) => l.event === 'late' && l.webinarId === 'nobody-home')).toHaveLength(1);
  await bridge.stop();
});

it('an ignored event type is deleted and counted', async () => {
  const bridge = await h.bridge();
  const body = JSON.stringify({
    version: '0',
    id: 'e-video',
    'detail-type': 'Chime Meeting State Change',
    source: 'aws.chime',
    detail: { eventType: 'chime:AttendeeVideoStarted', meetingId: 'm', externalMeetingId: 'w' },
  });
  const queueUrl = await h.queueUrl();
  await h.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  await eventually('the ignored message', async () =>
    (await metric(bridge, 'events_bridge_ignored_messages_total')) === 1 ? true : undefined,
  );
  await eventually('an empty queue', async () => ((await queueDepth(h, queueUrl)) === 0 ? true : undefined));
  await bridge.stop();
});

it('as a process: /healthz and /metrics, and SIGTERM signals and deletes what waits before it exits', async () => {
  await startWebinar(h, 'process');
  const m = await meetingWithAttendees(h, 'process', 3);
  const queueUrl = await h.queueUrl();
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'client/events-bridge/main.ts'],
    {
      cwd: resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH,
        EVENTS_QUEUE_URL: queueUrl,
        EVENTS_SQS_ENDPOINT: h.emu.endpoint,
        EVENTS_WAIT_SECONDS: '1',
        EVENTS_BRIDGE_PORT: '0',
        TEMPORAL_ADDRESS: h.env.address,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const url = await eventually('the listening line', async () =>
      Promise.resolve(/"event":"listening","url":"([^"]+)"/.exec(stdout)?.[1]),
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await admin(h, m.meetingId, m.attendeeIds.slice(0, 2), 'connect', 1);
    await eventually('the first events', async () =>
      union(await batchesOf(h, 'process')).size === 3 ? true : undefined,
    );
    const metricsText = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
    expect(await metricsText()).toMatch(/^events_bridge_signals_total\{outcome="accepted"\} [1-9]/m);
    // Received, and waiting for the webinar's next second when the stop comes.
    await admin(h, m.meetingId, m.attendeeIds.slice(2), 'connect', 1);
    await eventually('the last event received', async () =>
      /^events_bridge_messages_received_total 4$/m.test(await metricsText()) ? true : undefined,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(union(await batchesOf(h, 'process')).size).toBe(4);
    expect(await queueDepth(h, queueUrl)).toBe(0);
    for (const line of stdout.trim().split('\n')) h.logs.push(JSON.parse(line) as LogEntry);
    expect(h.logs.some((l) => l.event === 'flushed' && l.complete === true)).toBe(true);
  } finally {
    child.kill('SIGKILL');
  }
});

it('no log line and no metric names an attendee, an external user ID or a JoinToken', async () => {
  const texts = [JSON.stringify(h.logs)];
  const bridge = await h.bridge();
  texts.push(await bridge.metrics.registry.metrics());
  await bridge.stop();
  const identifiers = h.seen.filter((s) => s.length > 0);
  expect(identifiers.length).toBeGreaterThan(1_000);
  expect(h.logs.length).toBeGreaterThan(5);
  for (const text of texts) {
    expect(text).not.toMatch(/person-|JoinToken|externalUserId|attendeeId/);
    for (const id of identifiers) if (text.includes(id)) throw new Error('an identifier was logged');
  }
});
