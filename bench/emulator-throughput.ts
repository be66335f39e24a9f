/**
 * Emulator throughput and memory benchmark (not a test).
 *   npx ts-node --transpile-only bench/emulator-throughput.ts [--requests 20000] [--concurrency 16]
 * Drives the in-process emulator with raw node:http keep-alive requests (fake SigV4 Authorization header, rate
 * limits off), prints a table and writes bench/results/emulator.json.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { startEmulator } from '../emulator';

const AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=0';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function request(
  agent: http.Agent,
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: {
          authorization: AUTH,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function createMeeting(agent: http.Agent, port: number, token: string): Promise<string> {
  const res = await request(agent, port, 'POST', '/meetings', {
    ClientRequestToken: token,
    MediaRegion: 'us-east-1',
    ExternalMeetingId: token,
  });
  if (res.status !== 200) throw new Error(`CreateMeeting ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { Meeting: { MeetingId: string } }).Meeting.MeetingId;
}

/** A full GC, also without --expose-gc (the flag is switched on at run time). */
function gc(): void {
  v8.setFlagsFromString('--expose_gc');
  const collect = vm.runInNewContext('gc') as () => void;
  collect();
  collect();
}

async function main(): Promise<void> {
  const total = arg('requests', 20_000);
  const concurrency = arg('concurrency', 16);
  const emu = await startEmulator({
    config: { rateLimits: { enabled: false }, limits: { concurrentMeetings: 1000 } },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    // Throughput: a mix of reads and idempotent writes on one meeting with 100 attendees.
    const meetingId = await createMeeting(agent, emu.port, 'bench-throughput');
    await request(agent, emu.port, 'POST', `/meetings/${meetingId}/attendees?operation=batch-create`, {
      Attendees: Array.from({ length: 100 }, (_, i) => ({ ExternalUserId: `user-${i}` })),
    });
    const calls: Array<() => Promise<{ status: number }>> = [
      () => request(agent, emu.port, 'GET', `/meetings/${meetingId}`),
      () =>
        request(agent, emu.port, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'user-7' }),
      () => request(agent, emu.port, 'GET', `/meetings/${meetingId}/attendees?max-results=10`),
      () =>
        request(agent, emu.port, 'POST', '/meetings', {
          ClientRequestToken: 'bench-throughput',
          MediaRegion: 'us-east-1',
          ExternalMeetingId: 'bench-throughput',
        }),
    ];
    let next = 0;
    let errors = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const call = calls[next++ % calls.length];
          if (!call) break;
          const res = await call();
          if (res.status !== 200) errors++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rps = total / seconds;

    // Memory: 10,000 attendees = 40 meetings x 250 attendees, created through the API.
    emu.reset();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let m = 0; m < 40; m++) {
      const id = await createMeeting(agent, emu.port, `bench-memory-${m}`);
      for (let b = 0; b < 3; b++) {
        const count = b < 2 ? 100 : 50;
        const res = await request(
          agent,
          emu.port,
          'POST',
          `/meetings/${id}/attendees?operation=batch-create`,
          {
            Attendees: Array.from({ length: count }, (_, i) => ({ ExternalUserId: `m${m}-u${b * 100 + i}` })),
          },
        );
        if (res.status !== 200) throw new Error(`BatchCreateAttendee ${res.status} ${res.body}`);
      }
    }
    gc();
    const after = process.memoryUsage().heapUsed;
    const attendees = emu.state().totals.attendeesCreated;
    const heapMiB = (after - before) / 1024 / 1024;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      requests: total,
      concurrency,
      seconds: Number(seconds.toFixed(3)),
      requestsPerSecond: Math.round(rps),
      errors,
      memory: {
        attendees,
        meetings: 40,
        heapDeltaMiB: Number(heapMiB.toFixed(2)),
        bytesPerAttendee: Math.round((after - before) / attendees),
      },
    };
    console.table({
      throughput: { metric: 'requests/s (rate limits off)', value: result.requestsPerSecond },
      requests: { metric: `requests (${concurrency} in flight), non-200`, value: `${total}, ${errors}` },
      memory: { metric: `heap delta for ${attendees} attendees (MiB)`, value: result.memory.heapDeltaMiB },
      perAttendee: { metric: 'bytes per attendee', value: result.memory.bytesPerAttendee },
    });
    const out = path.join(__dirname, 'results', 'emulator.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${path.relative(process.cwd(), out)}`);
  } finally {
    agent.destroy();
    await emu.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
