/**
 * What the benchmarks read from a run's history: its size and Chime windows, when it reached a phase, and how
 * long its activities and workflow tasks waited and ran, each activity's times, and its status memo upserts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { WEBINAR_PHASE } from '../../domain/search-attributes';
import { STATUS_MEMO_KEY } from '../../domain/status-memo';
import { round, sum } from './stats';
import { fetchRunHistory } from '../../client/library/run-history';

/**
 * Every run of a webinar as one history, oldest first. A webinar whose registration made its history long
 * continues as new before READY, so PROVISIONING is in one run and READY in the next.
 */
export async function wholeHistory(handle: WorkflowHandle): Promise<History> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  const described = await handle.client.getHandle(handle.workflowId).describe();
  let runId: string | undefined = described.raw.workflowExecutionInfo?.firstRunId || described.runId;
  while (runId) {
    const run: temporal.api.history.v1.IHistoryEvent[] =
      (await fetchRunHistory(handle.client, handle.workflowId, runId)).events ?? [];
    events.push(...run);
    runId = run.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return temporal.api.history.v1.History.create({ events });
}

export interface HistoryFacts {
  events: number;
  jsonBytes: number;
  protoBytes: number;
  /** First Chime activity scheduled → last provisioning activity completed (before `untilEventId`). */
  chimeWindowMs: number | undefined;
  firstChimeAtMs: number | undefined;
  lastChimeAtMs: number | undefined;
  activities: Record<string, number>;
  /** Per activity type (before the first update): first scheduled → last completed, and mean schedule-to-start. */
  windows: Record<string, { firstMs: number; lastMs: number; seconds: number; meanQueueMs: number }>;
}

/**
 * Reads the run's history: its size, and the window of its Chime activities. Only activities scheduled before
 * the first WorkflowExecutionUpdateAccepted event count (the benchmarks end each webinar by an Update after READY), so
 * teardown is not in the window.
 */
export function historyFacts(history: History): HistoryFacts {
  const events = history.events ?? [];
  const scheduled = new Map<string, string>();
  const activities: Record<string, number> = {};
  let first: number | undefined;
  let last: number | undefined;
  let stopped = false;
  const windows: HistoryFacts['windows'] = {};
  const scheduledAt = new Map<string, number>();
  const queued: Record<string, number[]> = {};
  for (const e of events) {
    if (e.workflowExecutionUpdateAcceptedEventAttributes) stopped = true;
    const at = tsToMs(e.eventTime);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const name = s.activityType?.name ?? '?';
      activities[name] = (activities[name] ?? 0) + 1;
      scheduled.set(String(e.eventId), name);
      scheduledAt.set(String(e.eventId), at);
      if (!stopped) {
        first ??= at;
        const w = (windows[name] ??= { firstMs: at, lastMs: at, seconds: 0, meanQueueMs: 0 });
        w.firstMs = Math.min(w.firstMs, at);
      }
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st && !stopped) {
      const name = scheduled.get(String(st.scheduledEventId));
      const from = scheduledAt.get(String(st.scheduledEventId));
      if (name && from !== undefined) (queued[name] ??= []).push(at - from);
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c && !stopped) {
      const name = scheduled.get(String(c.scheduledEventId));
      if (name) {
        last = at;
        const w = windows[name];
        if (w) w.lastMs = Math.max(w.lastMs, at);
      }
    }
  }
  for (const [name, w] of Object.entries(windows)) {
    w.seconds = round((w.lastMs - w.firstMs) / 1000);
    const q = queued[name] ?? [];
    w.meanQueueMs = q.length ? Math.round(sum(q) / q.length) : 0;
  }
  return {
    events: events.length,
    // protobufjs messages serialise through their toJSON (longs as strings, bytes as base64).
    jsonBytes: Buffer.byteLength(JSON.stringify(history)),
    protoBytes: temporal.api.history.v1.History.encode(history).finish().length,
    chimeWindowMs: first !== undefined && last !== undefined ? last - first : undefined,
    firstChimeAtMs: first,
    lastChimeAtMs: last,
    activities,
    windows,
  };
}

/**
 * When the run first published `phase` (the WebinarPhase search attribute upserted by the workflow task that
 * reached it): the server's event time, exact, unlike a status poll's sampling.
 */
export function phaseReachedAtMs(history: History, phase: string): number | undefined {
  for (const e of history.events ?? []) {
    const field =
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[WEBINAR_PHASE.name];
    if (field?.data && JSON.parse(Buffer.from(field.data).toString('utf8')) === phase)
      return tsToMs(e.eventTime);
  }
  return undefined;
}

/** Per activity of `type`: how long its task waited in the queue (scheduled → started) and ran (→ completed). */
export function activityTimings(history: History, type: string): { queuedMs: number[]; ranMs: number[] } {
  const scheduledAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const queuedMs: number[] = [];
  const ranMs: number[] = [];
  for (const e of history.events ?? []) {
    const at = tsToMs(e.eventTime);
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) scheduledAt.set(id, at);
    const started = e.activityTaskStartedEventAttributes;
    const from = started ? scheduledAt.get(String(started.scheduledEventId)) : undefined;
    if (started && from !== undefined) {
      queuedMs.push(at - from);
      startedAt.set(String(started.scheduledEventId), at);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    const ranFrom = completed ? startedAt.get(String(completed.scheduledEventId)) : undefined;
    if (ranFrom !== undefined) ranMs.push(at - ranFrom);
  }
  return { queuedMs, ranMs };
}

/** Every workflow task of the run: how long it waited for a worker (scheduled → started) and took (→ completed). */
export function workflowTaskTimings(history: History): { queuedMs: number[]; ranMs: number[] } {
  const queuedMs: number[] = [];
  const ranMs: number[] = [];
  let scheduledAt: number | undefined;
  let startedAt: number | undefined;
  for (const e of history.events ?? []) {
    const at = tsToMs(e.eventTime);
    if (e.workflowTaskScheduledEventAttributes) scheduledAt = at;
    if (e.workflowTaskStartedEventAttributes && scheduledAt !== undefined) {
      queuedMs.push(at - scheduledAt);
      startedAt = at;
    }
    if (e.workflowTaskCompletedEventAttributes && startedAt !== undefined) ranMs.push(at - startedAt);
  }
  return { queuedMs, ranMs };
}

/** One activity of a run, tagged with its webinar: when it was scheduled, started and completed. */
export interface ActivityCall {
  webinar: string;
  type: string;
  scheduledAt: number;
  startedAt?: number;
  completedAt?: number;
}

/** Every activity of `webinar`'s run, in the order scheduled. */
export function activityCalls(webinar: string, history: History): ActivityCall[] {
  const byId = new Map<string, ActivityCall>();
  for (const e of history.events ?? []) {
    const at = tsToMs(e.eventTime);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) byId.set(String(e.eventId), { webinar, type: s.activityType?.name ?? '?', scheduledAt: at });
    const st = e.activityTaskStartedEventAttributes;
    const started = st ? byId.get(String(st.scheduledEventId)) : undefined;
    if (started) started.startedAt = at;
    const c = e.activityTaskCompletedEventAttributes;
    const completed = c ? byId.get(String(c.scheduledEventId)) : undefined;
    if (completed) completed.completedAt = at;
  }
  return [...byId.values()];
}

/** Every status memo upsert of a run: its updatedAt and when the task that made it completed (the event's time). */
export function memoUpserts(history: History): { updatedAt: string; atMs: number }[] {
  const out: { updatedAt: string; atMs: number }[] = [];
  for (const e of history.events ?? []) {
    const data = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[STATUS_MEMO_KEY]?.data;
    if (!data) continue;
    const memo = JSON.parse(Buffer.from(data).toString('utf8')) as { updatedAt?: string };
    if (memo.updatedAt) out.push({ updatedAt: memo.updatedAt, atMs: tsToMs(e.eventTime) });
  }
  return out;
}
