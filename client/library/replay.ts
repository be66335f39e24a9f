/**
 * The replay gate, run before every deploy (`npm run cli -- replay --query ...`, docs/runbook.md): replays
 * histories of `webinarWorkflow` against the workflow code about to ship, and names each one the code can no
 * longer produce. A webinar sleeps for weeks and then wakes up on the new code (Worker Versioning AUTO_UPGRADE),
 * so a change that is not behind patched() fails here instead of in a live webinar.
 *
 * Histories come from a cluster (a visibility query, paginated, up to a limit) or from JSON files (the format of
 * `temporal workflow show --output json`, `npm run cli -- export-history` and test/histories/).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { webinarWorkflowCode } from '../temporal/workflow-code';
import { WEBINAR_WORKFLOW_TYPE } from '../../workflows/definitions';
import { fetchRunHistory } from './run-history';

export const DEFAULT_REPLAY_LIMIT = 100;

export interface HistoryToReplay {
  /** How the history is named in the report: `workflowId run runId`, or the file's path. */
  name: string;
  workflowId: string;
  history?: History;
  /** Set when the history could not even be read (a file that is not a history). */
  unreadable?: string;
}

export interface ReplayOutcome {
  name: string;
  events: number;
  /** Unset when the history replayed. */
  error?: string;
}

/** The visibility query the gate runs: webinar workflows only, narrowed by the caller's query. */
export function webinarQuery(query: string): string {
  const own = query.trim();
  return own === ''
    ? `WorkflowType = '${WEBINAR_WORKFLOW_TYPE}'`
    : `WorkflowType = '${WEBINAR_WORKFLOW_TYPE}' AND (${own})`;
}

/**
 * Up to `limit` histories matching `query`, newest first as the server lists them; `list()` pages through the
 * results, and the iteration stops at the limit so no further page is fetched.
 */
export async function historiesFromCluster(
  client: Client,
  query: string,
  limit: number,
): Promise<HistoryToReplay[]> {
  const out: HistoryToReplay[] = [];
  if (limit <= 0) return out;
  for await (const execution of client.workflow.list({
    query: webinarQuery(query),
    pageSize: Math.min(limit, 100),
  })) {
    const history = await fetchRunHistory(client.workflow, execution.workflowId, execution.runId);
    out.push({
      name: `${execution.workflowId} run ${execution.runId}`,
      workflowId: execution.workflowId,
      history,
    });
    if (out.length >= limit) break;
  }
  return out;
}

/** Every `.json` file under `dir` (recursively), in path order; a file that is not a history is reported, not thrown. */
export function historiesFromDir(dir: string): HistoryToReplay[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${dir} is not a directory`);
  }
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file): HistoryToReplay => {
    const path = join(dir, file);
    const shown = relative(process.cwd(), path);
    const name = shown === '' || shown.startsWith('..') ? path : shown;
    try {
      const history = historyFromJSON(JSON.parse(readFileSync(path, 'utf8')));
      if (!history.events?.length) return { name, workflowId: file, unreadable: 'no events' };
      return { name, workflowId: file, history };
    } catch (err) {
      return { name, workflowId: file, unreadable: err instanceof Error ? err.message : String(err) };
    }
  });
}

export interface ReplayCode {
  /** A prebuilt bundle (tests); default: bundle ../workflows, the code about to ship. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** The payload codec the histories were written with (PAYLOAD_ENCRYPTION_KEYS), if any. */
  dataConverter?: DataConverter;
}

/** The outcome's error of a history the replayer gave no result for: it was not shown to replay. */
export const NO_REPLAY_RESULT = 'the replayer returned no result for it';

/** Replays each history; one outcome per history, in the order given. */
export async function replayHistories(
  histories: HistoryToReplay[],
  code: ReplayCode = {},
): Promise<ReplayOutcome[]> {
  const readable = histories.filter((h) => h.history !== undefined);
  const errors = new Map<HistoryToReplay, string>();
  if (readable.length > 0) {
    const results = Worker.runReplayHistories(
      {
        ...webinarWorkflowCode(code.workflowBundle),
        ...(code.dataConverter ? { dataConverter: code.dataConverter } : {}),
        replayName: 'replay-gate',
      },
      readable.map((h) => ({ workflowId: h.workflowId, history: h.history as History })),
    );
    // Results come in the order of the histories given.
    let i = 0;
    for await (const result of results) {
      const entry = readable[i++];
      if (entry && result.error)
        errors.set(entry, result.error.message.split('\n')[0] ?? String(result.error));
    }
    for (const entry of readable.slice(i)) errors.set(entry, NO_REPLAY_RESULT);
  }
  return histories.map((h) => {
    const error = h.unreadable !== undefined ? `not a history: ${h.unreadable}` : errors.get(h);
    return {
      name: h.name,
      events: h.history?.events?.length ?? 0,
      ...(error !== undefined ? { error } : {}),
    };
  });
}

/** One line per history, then a summary naming every failure. */
export function formatReplayReport(outcomes: ReplayOutcome[]): string {
  const lines = outcomes.map((o) =>
    o.error === undefined ? `ok      ${o.name} (${o.events} events)` : `FAILED  ${o.name}: ${o.error}`,
  );
  const failed = outcomes.filter((o) => o.error !== undefined);
  lines.push(
    failed.length === 0
      ? `Replayed ${outcomes.length} histories: all replay on the current workflow code.`
      : `Replayed ${outcomes.length} histories: ${failed.length} do not replay on the current workflow code: ${failed
          .map((o) => o.name)
          .join(', ')}`,
  );
  return lines.join('\n');
}

/** The CLI bundles and replays in-process: only the SDK's warnings and errors, not its bundling chatter. */
export function installReplayRuntime(): void {
  try {
    // Core's own log (e.g. "Failing workflow task" for each history that does not replay) goes through the same
    // logger instead of straight to stderr: the report already names every failure.
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { forward: {}, filter: { core: 'ERROR', other: 'ERROR' } } },
    });
  } catch {
    // Already installed in this process (a test, or a caller with its own logger): keep it.
  }
}
