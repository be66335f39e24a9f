/**
 * Benchmark 4: scale of one worker process.
 *   (a) N webinars (1,000; 250 in --quick) scheduled an hour out and sleeping at once: start rate (client
 *       starts per second, concurrency 25), time until every one has run its first workflow task (visible as
 *       WebinarPhase = SCHEDULED), and this process's memory (worker + client + emulator) after a full GC.
 *   (b) 20 webinars of 500 attendees provisioning at once on one budget: total time / shared floor, and
 *       fairness (spread of the webinars' finish times).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { webinarWorkflow } from '../workflows';
import { historyFacts, wholeHistory } from './support/histories';
import { startBenchStack } from './support/stack';
import { finishWebinars, roster, soonSpec } from './support/webinars';
import { sleep, waitForStatus } from './support/polling';
import { emulatorCalls, realisticEmulatorConfig } from './support/emulator';
import { floorSeconds, plannedCalls } from './support/calls';
import { mib, round } from './support/stats';
import { gc } from './support/process';
import { log, type BenchOutcome, type Goal } from './support/results';

type Handle = WorkflowHandle<typeof webinarWorkflow>;

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

async function sleeping(count: number) {
  const stack = await startBenchStack();
  try {
    gc();
    const before = process.memoryUsage();
    const ids = Array.from({ length: count }, (_, i) => `sleep-${i}-${Date.now() % 100000}`);
    const t0 = performance.now();
    await pool(ids, 25, async (id) => {
      const spec = soonSpec(id, roster(20, id), 3_600_000);
      spec.endAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
      await stack.start(spec);
    });
    const startSeconds = (performance.now() - t0) / 1000;
    let scheduled = 0;
    for (;;) {
      scheduled = (await stack.env.client.workflow.count(`WebinarPhase = 'SCHEDULED'`)).count;
      if (scheduled >= count || performance.now() - t0 > 300_000) break;
      await sleep(250);
    }
    const allScheduledSeconds = (performance.now() - t0) / 1000;
    gc();
    const after = process.memoryUsage();
    return {
      webinars: count,
      startSeconds: round(startSeconds, 2),
      startsPerSecond: round(count / startSeconds, 1),
      allScheduledSeconds: round(allScheduledSeconds, 2),
      scheduled,
      memory: {
        rssBeforeMiB: mib(before.rss),
        rssAfterMiB: mib(after.rss),
        heapBeforeMiB: mib(before.heapUsed),
        heapAfterMiB: mib(after.heapUsed),
        rssPerWebinarKiB: round((after.rss - before.rss) / 1024 / count, 1),
      },
    };
  } finally {
    await stack.shutdown();
  }
}

async function shared(webinars: number, attendees: number) {
  const stack = await startBenchStack();
  try {
    const handles: Handle[] = [];
    const at = Date.now() + 1_500;
    await Promise.all(
      Array.from({ length: webinars }, async (_, i) => {
        handles[i] = await stack.start(
          soonSpec(`shared-${i}-${Date.now() % 100000}`, roster(attendees, `s${i}`), at - Date.now()),
        );
      }),
    );
    const statuses = await Promise.all(
      handles.map((h) => waitForStatus(h, (s) => s.phase === 'READY', 300_000, 250)),
    );
    const calls = emulatorCalls(stack.emulator.counters());
    await finishWebinars(handles);
    const leaks = stack.emulator.state().meetings.length;
    const facts = await Promise.all(handles.map(async (h) => historyFacts(await wholeHistory(h))));
    const firsts = facts.map((f) => f.firstChimeAtMs ?? NaN);
    const lasts = facts.map((f) => f.lastChimeAtMs ?? NaN);
    const start = Math.min(...firsts);
    const finishes = lasts.map((l) => (l - start) / 1000).sort((a, b) => a - b);
    const totalSeconds = (Math.max(...lasts) - start) / 1000;
    const plannedTotal = statuses.reduce((sum, s) => sum + plannedCalls(s).calls, 0);
    const floor = floorSeconds(plannedTotal, realisticEmulatorConfig());
    const registered = statuses.reduce((sum, s) => sum + s.attendees.registered, 0);
    return {
      webinars,
      attendees,
      plannedCalls: plannedTotal,
      totalSeconds: round(totalSeconds, 2),
      floorSeconds: round(floor, 2),
      floorRatio: round(totalSeconds / floor, 3),
      finishSeconds: {
        first: round(finishes[0] ?? NaN, 2),
        median: round(finishes[Math.floor(finishes.length / 2)] ?? NaN, 2),
        last: round(finishes[finishes.length - 1] ?? NaN, 2),
        spread: round((finishes[finishes.length - 1] ?? NaN) - (finishes[0] ?? NaN), 2),
      },
      registered,
      throttled: calls.throttled,
      calls: calls.calls,
      throttledPct: calls.throttledPct,
      /** Calls by operation until every webinar was READY (GetMeeting: the health check at READY). */
      byOperation: calls.byOperation,
      duplicateMeetings: calls.meetingsCreated - statuses.reduce((s, st) => s + 1 + st.replicas.length, 0),
      duplicateAttendees: calls.attendeesCreated - registered,
      leakedMeetings: leaks,
    };
  } finally {
    await stack.shutdown();
  }
}

export async function benchScale(quick: boolean): Promise<BenchOutcome> {
  const count = quick ? 250 : 1_000;
  log(`scale: ${count} sleeping webinars`);
  const a = await sleeping(count);
  log(`scale: 20 × 500 sharing one budget`);
  const b = await shared(20, 500);
  console.table({
    sleeping: {
      webinars: a.webinars,
      'starts/s': a.startsPerSecond,
      'all SCHEDULED s': a.allScheduledSeconds,
      'RSS MiB before→after': `${a.memory.rssBeforeMiB}→${a.memory.rssAfterMiB}`,
      'heap MiB before→after': `${a.memory.heapBeforeMiB}→${a.memory.heapAfterMiB}`,
      'RSS KiB/webinar': a.memory.rssPerWebinarKiB,
    },
  });
  console.table({
    shared: {
      webinars: `${b.webinars} × ${b.attendees}`,
      calls: b.plannedCalls,
      'total s': b.totalSeconds,
      'floor s': b.floorSeconds,
      ratio: b.floorRatio,
      'finish first/median/last s': `${b.finishSeconds.first}/${b.finishSeconds.median}/${b.finishSeconds.last}`,
      'spread s': b.finishSeconds.spread,
      'throttled %': b.throttledPct,
      registered: `${b.registered}/${b.webinars * b.attendees}`,
      leaks: b.leakedMeetings,
    },
  });
  const goals: Goal[] = [
    {
      benchmark: '4 scale',
      metric: `${a.webinars} sleeping webinars: starts/s, all scheduled, process RSS after`,
      goal: 'all scheduled; memory reported',
      measured: `${a.startsPerSecond}/s, all ${a.scheduled} SCHEDULED after ${a.allScheduledSeconds}s, RSS ${a.memory.rssAfterMiB} MiB (+${a.memory.rssPerWebinarKiB} KiB/webinar), heap ${a.memory.heapAfterMiB} MiB`,
      met: a.scheduled >= a.webinars,
    },
    {
      benchmark: '4 scale',
      metric: `${b.webinars} × ${b.attendees} on one budget: total / shared floor`,
      goal: '<= 1.10 (same as 1)',
      measured: `${b.floorRatio} (${b.totalSeconds}s / ${b.floorSeconds}s), ${b.throttledPct} % throttled`,
      met: b.floorRatio <= 1.1,
    },
    {
      benchmark: '4 scale',
      metric: `${b.webinars} × ${b.attendees}: fairness (spread of finish times)`,
      goal: 'reported',
      measured: `first ${b.finishSeconds.first}s, median ${b.finishSeconds.median}s, last ${b.finishSeconds.last}s`,
      met: 'n/a',
    },
  ];
  return { name: 'scale', goals, result: { sleeping: a, shared: b } };
}
