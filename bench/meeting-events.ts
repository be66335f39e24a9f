/**
 * Meeting events benchmark (not a test).
 *   npx ts-node --transpile-only bench/meeting-events.ts [--attendees 10250] [--concurrency 16] [--receivers 4]
 * A full-size webinar's meetings (1 primary + 40 replicas, 250 seats each) in the in-process emulator; every
 * attendee connects through the admin API over HTTP, which puts one event each (plus MeetingStarted per
 * meeting) on the default events queue; then receivers drain it through the real @aws-sdk/client-sqs
 * (ReceiveMessage of 10, DeleteMessageBatch). Prints the rates and the heap per queued event; writes
 * bench/results/meeting-events.json.
 */
import {
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as http from 'node:http';
import { startEmulator } from '../emulator';
import { runMain } from '../client/cli/run-main';
import { gc } from './support/process';
import { writeResult } from './support/results';

const QUEUE = 'chime-meeting-events';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function post(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

async function main(): Promise<void> {
  const attendees = arg('attendees', 10_250);
  const concurrency = arg('concurrency', 16);
  const receivers = arg('receivers', 4);
  const emu = await startEmulator({
    config: {
      rateLimits: { enabled: false },
      limits: { replicasPerPrimary: 40 },
      events: { defaultQueues: { 'us-east-1': QUEUE } },
    },
  });
  const chime = new ChimeSDKMeetingsClient({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: CREDENTIALS,
  });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials: CREDENTIALS });
  try {
    const meetings: string[] = [];
    const create = async (primary?: string): Promise<string> => {
      const out = await chime.send(
        new CreateMeetingCommand({
          ClientRequestToken: `bench-${meetings.length}`,
          MediaRegion: 'us-east-1',
          ExternalMeetingId: 'webinar-bench',
          PrimaryMeetingId: primary,
        }),
      );
      return out.Meeting?.MeetingId ?? '';
    };
    meetings.push(await create());
    while (meetings.length * 250 < attendees) meetings.push(await create(meetings[0]));
    const pairs: Array<[string, string]> = [];
    let made = 0;
    for (const meetingId of meetings) {
      const seats = Math.min(250, attendees - made);
      for (let k = 0; k < seats; k += 100) {
        const count = Math.min(100, seats - k);
        const out = await chime.send(
          new BatchCreateAttendeeCommand({
            MeetingId: meetingId,
            Attendees: Array.from({ length: count }, (_, j) => ({ ExternalUserId: `user-${made + k + j}` })),
          }),
        );
        for (const a of out.Attendees ?? []) pairs.push([meetingId, a.AttendeeId ?? '']);
      }
      made += seats;
    }

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const connectStart = performance.now();
    await pool(pairs, concurrency, async ([m, a]) => {
      const status = await post(agent, emu.port, `/_emulator/meetings/${m}/attendees/${a}/connect`);
      if (status !== 200) throw new Error(`connect answered ${status}`);
    });
    const connectMs = performance.now() - connectStart;
    agent.destroy();
    gc();
    const heapQueued = process.memoryUsage().heapUsed - heapBefore;
    const queued = emu.counters().events.delivered;

    const url = `${emu.endpoint}/123456789012/${QUEUE}`;
    let received = 0;
    const drainStart = performance.now();
    await Promise.all(
      Array.from({ length: receivers }, async () => {
        for (;;) {
          const out = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
          );
          const got = out.Messages ?? [];
          if (got.length === 0) return;
          received += got.length;
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: got.map((msg, i) => ({ Id: `m${i}`, ReceiptHandle: msg.ReceiptHandle })),
            }),
          );
        }
      }),
    );
    const drainMs = performance.now() - drainStart;
    const result = {
      attendees: pairs.length,
      meetings: meetings.length,
      eventsQueued: queued,
      connect: {
        ms: Math.round(connectMs),
        perSecond: Math.round(pairs.length / (connectMs / 1000)),
        concurrency,
      },
      drain: {
        received,
        ms: Math.round(drainMs),
        perSecond: Math.round(received / (drainMs / 1000)),
        receivers,
      },
      heapBytesPerQueuedEvent: Math.round(heapQueued / Math.max(1, queued)),
      left: emu.counters().queues.find((q) => q.name === QUEUE),
    };
    console.table({
      'connect (admin API)': `${result.connect.perSecond}/s, ${pairs.length} in ${result.connect.ms} ms`,
      'drain (SQS SDK)': `${result.drain.perSecond}/s, ${received} in ${result.drain.ms} ms`,
      'heap per queued event': `${result.heapBytesPerQueuedEvent} bytes`,
    });
    console.log(
      `wrote ${writeResult('meeting-events', { measuredAt: new Date().toISOString(), ...result })}`,
    );
  } finally {
    chime.destroy();
    sqs.destroy();
    await emu.close();
  }
}

runMain(main);
