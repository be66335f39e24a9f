/**
 * Benchmark 9: joins. A full-size webinar (10,250 attendees in 41 meetings) is provisioned with the credential
 * store, then every attendee's signed join link is answered by one join API process, from a load process beside
 * it: answers all 200, Chime calls made for them (the join API holds no Chime client; the emulator counts what it
 * was asked meanwhile, less the workflow's own meeting checks), the time for all and their latency. The
 * reference, in the same run: the same number of `GET /healthz` on the same process (HTTP alone). Provisioning
 * time with the store against without it, alternately on two stacks, is the store's cost on the critical path.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openCredentialStore } from '../activities/credentials';
import { mintJoinToken } from '../client/library/join-link';
import { startJoinApi } from '../client/join-api/server';
import { describePhase } from '../client/join-api/published-phase';
import type { EncryptionKey } from '../client/temporal/codec';
import { provisionOnce } from './provisioning';
import { activityCalls, wholeHistory } from './support/histories';
import { startBenchStack } from './support/stack';
import { finishWebinars, roster, soonSpec } from './support/webinars';
import { waitForStatus } from './support/polling';
import { latencyStats, round } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';
import type { LoadOutput, LoadRequest } from './join/load';

/** Joins in flight at once: many browsers arriving together. */
const CONCURRENCY = 16;
/** The Chime operations a join would need without the store (what a join must not call). */
const JOIN_TIME_OPERATIONS = ['GetAttendee', 'GetMeeting', 'ListAttendees'];

/** Sends the requests from a process of its own (bench/join/load.ts), so the API's process only serves. */
function load(url: string, requests: LoadRequest[]): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'join', 'load.ts')],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load process exited with ${code}`));
      else resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as LoadOutput);
    });
    child.stdin.end(JSON.stringify({ url, concurrency: CONCURRENCY, requests }));
  });
}

function joinTimeCalls(counters: { operations: Record<string, { calls: number }> }): Record<string, number> {
  return Object.fromEntries(JOIN_TIME_OPERATIONS.map((op) => [op, counters.operations[op]?.calls ?? 0]));
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? NaN)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

export async function benchJoin(quick: boolean): Promise<BenchOutcome> {
  const attendees = quick ? 2_500 : 10_250;
  const trials = quick ? 1 : 2;
  const store = await openCredentialStore({ engine: 'pglite' }, undefined);
  const plain = await startBenchStack();
  const stored = await startBenchStack({ credentials: store });
  const provisioning = { without: [] as number[], with: [] as number[] };
  try {
    for (let t = 0; t < trials; t++) {
      for (const [name, stack] of [
        ['without', plain],
        ['with', stored],
      ] as const) {
        const r = await provisionOnce(stack, attendees, `join-prov-${name}-${t}-${Date.now() % 100000}`);
        if (r.registered !== attendees)
          throw new Error(`provisioning ${name} the store registered ${r.registered}`);
        provisioning[name].push(r.historySeconds);
        log(`join: provisioning ${attendees} ${name} the store: ${r.historySeconds}s`);
      }
    }
  } finally {
    await plain.shutdown();
  }

  try {
    const webinarId = `join-${Date.now() % 100000}`;
    const spec = { ...soonSpec(webinarId, roster(attendees)), promotionReserve: 0 };
    const handle = await stored.start(spec);
    await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE', 180_000);
    const keys: EncryptionKey[] = [{ id: 'bench', key: randomBytes(32) }];
    const expiresAt = new Date(Date.now() + 3_600_000);
    const joins: LoadRequest[] = spec.attendees.map((a) => ({
      method: 'POST',
      path: '/v1/join',
      body: JSON.stringify({
        token: mintJoinToken({ webinarId, externalUserId: a.externalUserId, expiresAt }, keys),
      }),
    }));
    const api = await startJoinApi({
      port: 0,
      host: '127.0.0.1',
      store,
      linkKeys: keys,
      phaseOf: (id) => describePhase(stored.env.client, id),
      // One load process stands for 10,250 browsers: the per-address limit would measure itself.
      addressLimit: { perSecond: 1e9, burst: 1e9 },
    });
    try {
      await load(api.url, joins.slice(0, 500)); // warm-up: JIT, the store's first queries
      await load(
        api.url,
        joins.slice(0, 500).map(() => ({ method: 'GET', path: '/healthz' })),
      );
      const callsBefore = joinTimeCalls(stored.emulator.counters());
      const windowStart = Date.now();
      const answered = await load(api.url, joins);
      const windowEnd = Date.now();
      const callsAfter = joinTimeCalls(stored.emulator.counters());
      const reference = await load(
        api.url,
        joins.map(() => ({ method: 'GET', path: '/healthz' })),
      );
      const workflowChecks = activityCalls(webinarId, await wholeHistory(handle)).filter(
        (c) => c.type === 'getMeeting' && c.scheduledAt >= windowStart - 1_000 && c.scheduledAt <= windowEnd,
      ).length;
      const calls = JOIN_TIME_OPERATIONS.reduce(
        (n, op) => n + (callsAfter[op] ?? 0) - (callsBefore[op] ?? 0),
        0,
      );
      const joinCalls = Math.max(0, calls - workflowChecks);
      const joinStats = latencyStats(answered.latenciesMs);
      const httpStats = latencyStats(reference.latenciesMs);
      const ok = answered.statuses['200'] ?? 0;
      const provisioningRatio = round(median(provisioning.with) / median(provisioning.without));
      const result = {
        attendees,
        concurrency: CONCURRENCY,
        joins: { wallMs: round(answered.wallMs), statuses: answered.statuses, latencyMs: joinStats },
        reference: { wallMs: round(reference.wallMs), statuses: reference.statuses, latencyMs: httpStats },
        p99VsHttp: round(joinStats.p99 / httpStats.p99),
        chimeCallsDuringJoins: calls,
        workflowMeetingChecksDuringJoins: workflowChecks,
        provisioningSeconds: provisioning,
        provisioningRatio,
      };
      console.table({
        joins: { 'all s': round(answered.wallMs / 1000), ...joinStats, '200': ok },
        'healthz (reference)': {
          'all s': round(reference.wallMs / 1000),
          ...httpStats,
          '200': reference.statuses['200'] ?? 0,
        },
      });
      log(
        `join: ${ok}/${attendees} answered in ${round(answered.wallMs / 1000)} s, p99 ${joinStats.p99} ms ` +
          `(${result.p99VsHttp} × HTTP alone), Chime calls ${joinCalls}; provisioning with the store ` +
          `${provisioningRatio} × without (${provisioning.with.join(' / ')} s vs ${provisioning.without.join(' / ')} s)`,
      );
      const size = quick ? `${attendees} attendees (quick)` : 'full size (10,250)';
      const goals: Goal[] = [
        {
          benchmark: '9 join',
          metric: 'Chime calls per join',
          goal: '0',
          measured: `${joinCalls} for ${attendees} joins`,
          met: joinCalls === 0 && ok === attendees,
        },
        {
          benchmark: '9 join',
          metric: `answers for every attendee, ${size}, one API process`,
          goal: '<= 2 s in all',
          measured: `${round(answered.wallMs / 1000)} s (${ok} × 200)`,
          met: answered.wallMs <= 2_000 && ok === attendees,
        },
        {
          benchmark: '9 join',
          metric: 'join latency p99',
          goal: '< 20 ms',
          measured: `${joinStats.p99} ms (HTTP alone ${httpStats.p99} ms)`,
          met: joinStats.p99 < 20,
        },
        {
          benchmark: '9 join',
          metric: `provisioning with the store / without, ${size}`,
          goal: '<= 1.03',
          measured: `${provisioningRatio}`,
          met: provisioningRatio <= 1.03,
        },
      ];
      await finishWebinars([handle]);
      return { name: 'join', result, goals };
    } finally {
      await api.close();
    }
  } finally {
    await stored.shutdown();
    await store.close();
  }
}
