/**
 * Listing webinars from visibility, with no worker involved: the filter checked first (WebinarInputError), then
 * one row per webinar workflow, with the counts of its status memo when its run publishes one.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WEBINAR_PHASES } from '../../domain/phases';
import { WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT } from '../../domain/search-attributes';
import { isStatusMemo, STATUS_MEMO_KEY } from '../../domain/status-memo';
import type { WebinarPhase } from '../../domain/types';
import { WEBINAR_WORKFLOW_TYPE } from '../../workflows/definitions';
import { WebinarInputError } from './errors';

export interface WebinarSummary {
  webinarId: string;
  workflowId: string;
  runId: string;
  phase?: WebinarPhase;
  startAt?: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, ... */
  executionStatus: string;
  startTime: string;
  closeTime?: string;
  /** From the status memo (runs that publish one): registration counts, meetings, workflow time of the upsert. */
  attendees?: { requested: number; registered: number; failed: number };
  meetings?: number;
  updatedAt?: string;
}

export interface ListOptions {
  phase?: WebinarPhase;
  /** Webinars starting at or after this time (ISO-8601 or a Date). */
  startsFrom?: string | Date;
  /** Webinars starting before this time. */
  startsBefore?: string | Date;
  limit?: number;
}

function summarize(info: WorkflowExecutionInfo): WebinarSummary {
  const sa = info.typedSearchAttributes;
  const id = sa.get(WEBINAR_ID) ?? info.workflowId.replace(/^webinar-/, '');
  const phase = sa.get(WEBINAR_PHASE) as WebinarPhase | undefined;
  const startAt = sa.get(WEBINAR_START_AT);
  const memo = info.memo?.[STATUS_MEMO_KEY];
  return {
    webinarId: id,
    workflowId: info.workflowId,
    runId: info.runId,
    ...(phase ? { phase } : {}),
    ...(startAt ? { startAt: startAt.toISOString() } : {}),
    executionStatus: info.status.name,
    startTime: info.startTime.toISOString(),
    ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
    ...(isStatusMemo(memo)
      ? { attendees: { ...memo.attendees }, meetings: memo.meetings?.count ?? 0, updatedAt: memo.updatedAt }
      : {}),
  };
}

/**
 * Webinars in the client's namespace, newest first (visibility query): optionally in one phase, and starting in
 * a window (WebinarStartAt, `startsFrom` inclusive, `startsBefore` exclusive).
 */
export async function listWebinars(client: Client, options: ListOptions = {}): Promise<WebinarSummary[]> {
  const problems: { field: string; message: string }[] = [];
  if (options.phase !== undefined && !WEBINAR_PHASES.includes(options.phase)) {
    problems.push({ field: 'phase', message: `must be one of ${WEBINAR_PHASES.join(', ')}` });
  }
  const window: string[] = [];
  for (const [field, op] of [
    ['startsFrom', '>='],
    ['startsBefore', '<'],
  ] as const) {
    const value = options[field];
    if (value === undefined) continue;
    const at = typeof value === 'string' ? Date.parse(value) : value.getTime();
    if (Number.isNaN(at)) problems.push({ field, message: 'must be an ISO-8601 date-time' });
    else window.push(` AND WebinarStartAt ${op} '${new Date(at).toISOString()}'`);
  }
  if (problems.length > 0) throw new WebinarInputError(problems, 'list filter');
  let query = `WorkflowType = '${WEBINAR_WORKFLOW_TYPE}'`;
  if (options.phase) query += ` AND WebinarPhase = '${options.phase}'`;
  query += window.join('');
  const limit = options.limit ?? 1000;
  const out: WebinarSummary[] = [];
  for await (const info of client.workflow.list({ query })) {
    out.push(summarize(info));
    if (out.length >= limit) break;
  }
  return out;
}
