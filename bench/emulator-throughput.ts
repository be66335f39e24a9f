/**
 * Emulator throughput and memory benchmark (not a test).
 *   npx ts-node --transpile-only bench/emulator-throughput.ts [--requests 20000] [--concurrency 16]
 * Drives the in-process emulator with raw node:http keep-alive requests (fake SigV4 Authorization header, rate
 * limits off), then times the SigV4 Authorization parser against the regex it replaced (the reference, run in
 * the same process) on hostile headers. Prints a table and writes bench/results/emulator.json.
 */
import * as http from 'node:http';
import { MAX_AUTHORIZATION_LENGTH, parseCredentialScope, startEmulator } from '../emulator';
import { runMain } from '../client/cli/run-main';
import { gc } from './support/process';
import { writeResult } from './support/results';

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

/** The credential regex the emulator used before its linear parser: the reference of the SigV4 timing. */
const OLD_SIGV4 = /Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

/** Mean milliseconds per call of `fn` over at least `minMs` of repetitions. */
function timePerCall(fn: () => unknown, minMs = 200): number {
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < minMs || runs < 1) {
    fn();
    runs++;
  }
  return (performance.now() - started) / runs;
}

/**
 * `Credential=` repeated: the old regex matches the literal at every repetition, then its `[^/,\s]+` runs to
 * the end of the header and backs off again: quadratic in the header's length.
 */
function sigv4Timings(): Array<{ header: string; bytes: number; regexMs: number; parserMs: number }> {
  const hostile = (bytes: number): string =>
    `AWS4-HMAC-SHA256 ${'Credential='.repeat(Math.floor((bytes - 17) / 11))}`;
  return [
    { header: 'largest accepted', bytes: MAX_AUTHORIZATION_LENGTH },
    { header: '64 KB', bytes: 64 * 1024 },
  ].map(({ header, bytes }) => {
    const h = hostile(bytes);
    return {
      header,
      bytes,
      regexMs: timePerCall(() => OLD_SIGV4.exec(h)),
      parserMs: timePerCall(() => parseCredentialScope(h)),
    };
  });
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
    const sigv4 = sigv4Timings().map((t) => ({
      ...t,
      regexMs: Number(t.regexMs.toFixed(4)),
      parserMs: Number(t.parserMs.toFixed(6)),
      speedup: Math.round(t.regexMs / t.parserMs),
    }));
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
      sigv4,
    };
    console.table({
      throughput: { metric: 'requests/s (rate limits off)', value: result.requestsPerSecond },
      requests: { metric: `requests (${concurrency} in flight), non-200`, value: `${total}, ${errors}` },
      memory: { metric: `heap delta for ${attendees} attendees (MiB)`, value: result.memory.heapDeltaMiB },
      perAttendee: { metric: 'bytes per attendee', value: result.memory.bytesPerAttendee },
      ...Object.fromEntries(
        sigv4.map((t) => [
          `sigv4 ${t.bytes}`,
          {
            metric: `SigV4 header, ${t.header}: old regex ms / parser ms (ratio)`,
            value: `${t.regexMs} / ${t.parserMs} (${t.speedup}x)`,
          },
        ]),
      ),
    });
    console.log(`written ${writeResult('emulator', result)}`);
  } finally {
    agent.destroy();
    await emu.close();
  }
}

runMain(main);
