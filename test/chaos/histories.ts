/**
 * After a chaos run: every history it produced (every run of every webinar, following continue-as-new), the
 * nondeterminism failures recorded in them, a replay of each against the current workflow bundle, and a copy of
 * the histories of a failed run on disk for diagnosis. Replay is what catches a history the code can no longer
 * produce, even when the live run happened to limp on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { NO_REPLAY_RESULT, replayHistories } from '../../client/library/replay';

type History = temporal.api.history.v1.IHistory;
const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface RunHistory {
  workflowId: string;
  runId: string;
  history: History;
}

export interface Nondeterminism {
  workflowId: string;
  runId: string;
  eventId: number;
  message: string;
}

/** Every run of each workflow, from the first run along its continue-as-new chain. */
export async function collectHistories(
  client: Client,
  workflows: { workflowId: string; firstRunId: string }[],
): Promise<RunHistory[]> {
  const out: RunHistory[] = [];
  for (const { workflowId, firstRunId } of workflows) {
    let runId: string | undefined = firstRunId;
    while (runId !== undefined) {
      const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      out.push({ workflowId, runId, history });
      const last = history.events?.[history.events.length - 1];
      runId =
        last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
          ? (last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined)
          : undefined;
    }
  }
  return out;
}

const CREATING_MEETINGS = new Set(['createMeeting', 'createMeetingWithAttendees']);

/**
 * The meetings the webinars' histories recorded creating: the result of every completed createMeeting and
 * createMeetingWithAttendees. A meeting the service held that no history names was created without the webinar
 * knowing it (a duplicate); a status poll that never caught a short-lived meeting does not make it one.
 */
export function meetingsRecordedIn(runs: RunHistory[]): Set<string> {
  const ids = new Set<string>();
  for (const { history } of runs) {
    const creating = new Set<string>();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled && CREATING_MEETINGS.has(scheduled.activityType?.name ?? ''))
        creating.add(String(event.eventId));
      const completed = event.activityTaskCompletedEventAttributes;
      const data = completed?.result?.payloads?.[0]?.data;
      if (!completed || !creating.has(String(completed.scheduledEventId)) || !data) continue;
      const result = JSON.parse(Buffer.from(data).toString('utf8')) as {
        meetingId?: string;
        meeting?: { meetingId?: string };
      };
      const id = result.meetingId ?? result.meeting?.meetingId;
      if (id) ids.add(id);
    }
  }
  return ids;
}

/** Workflow tasks that failed with a nondeterminism error (TMPRL1100), as the server recorded them. */
export function nondeterminismIn(runs: RunHistory[]): Nondeterminism[] {
  const found: Nondeterminism[] = [];
  for (const { workflowId, runId, history } of runs) {
    for (const event of history.events ?? []) {
      if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
      const attrs = event.workflowTaskFailedEventAttributes;
      const message = attrs?.failure?.message ?? '';
      if (
        attrs?.cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR ||
        /TMPRL1100|nondetermin/i.test(message)
      ) {
        found.push({ workflowId, runId, eventId: Number(event.eventId ?? 0), message });
      }
    }
  }
  return found;
}

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  error: string;
}

export interface ReplayReport {
  /** Histories the replayer reported on (one outcome each): must be every history given. */
  replayed: number;
  failures: ReplayFailure[];
}

/**
 * Replays every history against `workflowBundle` (the code under test) with the pre-deploy gate's own replay
 * (client/library/replay.ts); returns the ones that fail.
 */
export async function replayAll(
  workflowBundle: WorkflowBundleWithSourceMap,
  runs: RunHistory[],
): Promise<ReplayFailure[]> {
  return (await replayReport(workflowBundle, runs)).failures;
}

/**
 * As replayAll, and how many histories the replayer itself reported on: a history it gave no result for is a
 * failure, never a pass.
 */
export async function replayReport(
  workflowBundle: WorkflowBundleWithSourceMap,
  runs: RunHistory[],
): Promise<ReplayReport> {
  const outcomes = await replayHistories(
    runs.map((r) => ({
      name: `${r.workflowId} run ${r.runId}`,
      workflowId: r.workflowId,
      history: r.history,
    })),
    { workflowBundle },
  );
  // One outcome per history, in the order given.
  const failures = runs.flatMap((run, i) => {
    const error = outcomes[i]?.error;
    return error === undefined ? [] : [{ workflowId: run.workflowId, runId: run.runId, error }];
  });
  return { replayed: outcomes.filter((o) => o.error !== NO_REPLAY_RESULT).length, failures };
}

/** Writes each history as `<workflowId>.<runId>.json` (temporal workflow show --output json format). */
export function saveHistories(dir: string, runs: RunHistory[]): void {
  mkdirSync(dir, { recursive: true });
  for (const { workflowId, runId, history } of runs) {
    writeFileSync(join(dir, `${workflowId}.${runId}.json`), historyToJSON(history));
  }
}
