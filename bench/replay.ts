/**
 * Benchmark 5: time to replay every stored history in test/histories/ (JSON, as scripts/record-histories.ts
 * writes them) against the current workflow code with Worker.runReplayHistories. Records nothing when the
 * folder is missing or empty.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { webinarBundle } from './support/stack';
import { round, sum } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';

export const HISTORIES_DIR = path.join(__dirname, '..', 'test', 'histories');

/** Every .json under `dir`, subfolders included (e.g. histories kept from before a patch), relative paths. */
function historyFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...historyFiles(dir, rel));
    else if (entry.name.endsWith('.json')) out.push(rel);
  }
  return out.sort();
}

export async function benchReplay(): Promise<BenchOutcome> {
  const files = fs.existsSync(HISTORIES_DIR) ? historyFiles(HISTORIES_DIR) : [];
  if (files.length === 0) {
    const why = fs.existsSync(HISTORIES_DIR) ? 'test/histories/ is empty' : 'test/histories/ does not exist';
    log(`replay: nothing to replay (${why})`);
    const goals: Goal[] = [
      {
        benchmark: '5 replay',
        metric: 'replay every stored history',
        goal: 'all replay, time reported',
        measured: `not measured: ${why}`,
        met: 'n/a',
      },
    ];
    return { name: 'replay', goals, result: { histories: 0, note: why } };
  }
  const workflowBundle = await webinarBundle();
  const loaded = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8')) as unknown,
    bytes: fs.statSync(path.join(HISTORIES_DIR, f)).size,
  }));
  const events = loaded.map((h) => (h.history as { events?: unknown[] }).events?.length ?? 0);
  const t0 = performance.now();
  const results: { workflowId: string; ok: boolean; error?: string }[] = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle },
    loaded.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  )) {
    results.push({ workflowId: r.workflowId, ok: !r.error, error: r.error?.message });
  }
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => !r.ok);
  const totalEvents = sum(events);
  console.table(
    loaded.map((h, i) => ({
      history: h.workflowId,
      events: events[i],
      KiB: round(h.bytes / 1024, 1),
      replayed: results[i]?.ok ? 'ok' : `FAILED: ${results[i]?.error ?? '?'}`,
    })),
  );
  log(`replay: ${files.length} histories, ${totalEvents} events in ${round(seconds, 3)}s`);
  const goals: Goal[] = [
    {
      benchmark: '5 replay',
      metric: `replay ${files.length} stored histories (${totalEvents} events)`,
      goal: 'all replay, time reported',
      measured: `${round(seconds, 2)}s (${round((seconds * 1000) / files.length, 0)} ms per history), ${failed.length} failed`,
      met: failed.length === 0,
    },
  ];
  return {
    name: 'replay',
    goals,
    result: { histories: files.length, events: totalEvents, seconds: round(seconds), results },
  };
}
