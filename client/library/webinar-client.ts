/**
 * The typed client library for scheduling systems and operators: schedule a webinar idempotently by its ID,
 * run operator actions (Update by default, Signal with `fireAndForget`), read its status, list webinars by
 * phase, cancel, and export a history for replay tests. Inputs are checked here with the same validators the
 * workflow uses (domain/validation/ and the action table, domain/actions.ts), so a bad input is rejected before
 * anything reaches Temporal. Every operator action runs through one typed method, `action(webinarId, name, args)`.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
  type WorkflowIdReusePolicy,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { WEBINAR_PHASES } from '../../domain/phases';
import { queryPastStaleRuns } from './query-retry';
import { WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT } from '../../domain/search-attributes';
import type { AttendeeLocation, WebinarPhase, WebinarSpec, OperatorActionResult } from '../../domain/types';
import {
  OPERATOR_ACTION_TABLE,
  validateSpeakerArgs,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../domain/actions';
import { validateWebinarSpec } from '../../domain/validation/spec';
import {
  isStatusMemo,
  STATUS_MEMO_KEY,
  statusFromMemo,
  statusFromQuery,
  type WebinarStatusRead,
} from '../../domain/status-memo';
import {
  attendeeQuery,
  DEFAULT_WEBINAR_TASK_QUEUE,
  operatorSignals,
  operatorUpdates,
  statusQuery,
  WEBINAR_WORKFLOW_TYPE,
  webinarWorkflowId,
} from '../../workflows/definitions';
import type { webinarWorkflow, WebinarOutcome } from '../../workflows/webinar';
import { calendarStart, WebinarOverCommittedError, type CalendarConfig } from './calendar';
import type { CalendarDecision } from '../../domain/calendar';
import {
  WebinarActionRejectedError,
  WebinarConflictError,
  WebinarInputError,
  WebinarNotFoundError,
} from './errors';
import {
  connectClient,
  ConfigError,
  readTemporalConnectionConfig,
  type ConfigProblem,
  type TemporalConnectionConfig,
} from '../temporal/connection';

export { WEBINAR_PHASES };
export type { StatusMemo, WebinarStatusRead } from '../../domain/status-memo';
export {
  WebinarActionRejectedError,
  WebinarConflictError,
  WebinarInputError,
  WebinarNotFoundError,
} from './errors';

/** Memo key holding the SHA-256 of the normalized input: how a retried schedule() recognises its own webinar. */
export const SPEC_HASH_MEMO = 'specSha256';

export type WebinarHandle = WorkflowHandle<typeof webinarWorkflow>;

export interface ScheduleResult {
  webinarId: string;
  workflowId: string;
  runId: string;
  /** false when an identical earlier call had already scheduled it (a retried call). */
  created: boolean;
  handle: WebinarHandle;
  /** The capacity calendar's answer for a new webinar (its figures, and a warning when over-committed). */
  calendar?: CalendarDecision;
}

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

export interface StatusOptions {
  /** Ask the live `status` query (needs a worker) instead of reading the published memo. */
  live?: boolean;
}

export interface ListOptions {
  phase?: WebinarPhase;
  /** Webinars starting at or after this time (ISO-8601 or a Date). */
  startsFrom?: string | Date;
  /** Webinars starting before this time. */
  startsBefore?: string | Date;
  limit?: number;
}

export interface ActionOptions {
  /** Send a Signal instead of an Update: returns once accepted; a rejection lands in status().rejected. */
  fireAndForget?: boolean;
}

export interface WebinarClientOptions {
  taskQueue?: string;
  /**
   * What a second schedule() for an ID whose earlier webinar has closed does. Default REJECT_DUPLICATE: an ID is
   * used once, so a scheduler retrying long after the fact can never resurrect an ended or cancelled webinar.
   * ALLOW_DUPLICATE_FAILED_ONLY lets a failed or cancelled webinar be scheduled again under the same ID.
   */
  workflowIdReusePolicy?: WorkflowIdReusePolicy;
  /** The capacity calendar (client/library/calendar.ts); default policy 'warn'; false: not consulted. */
  calendar?: CalendarConfig | false;
}

/** Checks an operator action's argument with the workflow's own rules; throws WebinarInputError naming every bad field. */
export function checkOperatorAction<A extends OperatorAction>(action: A, args: OperatorActionArgs[A]): void {
  // The workflow's own parser for the action (domain/actions.ts): the same rules, the same messages.
  const validated = OPERATOR_ACTION_TABLE[action].parse(args);
  if (!validated.ok) throw new WebinarInputError(validated.errors, `${action} argument`);
}

/** What a Signal returns: it was accepted; a rejection lands in status().rejected. */
export interface SignalSent {
  ok: true;
  detail: 'signal sent';
}

/**
 * Sends an operator action to a webinar's workflow, the one way every caller does (WebinarClient.action, the
 * benchmarks, the history recorder): checked first with the action's own parser (WebinarInputError, nothing
 * sent), then its Update (the result) or, with `fireAndForget`, its Signal. Temporal's errors pass through
 * unchanged; WebinarClient.action turns them into the client's errors.
 */
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options: { fireAndForget: true },
): Promise<SignalSent>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options?: { fireAndForget?: false },
): Promise<OperatorActionResult>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options?: ActionOptions,
): Promise<OperatorActionResult | SignalSent>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options: ActionOptions = {},
): Promise<OperatorActionResult | SignalSent> {
  checkOperatorAction(action, args);
  if (options.fireAndForget) {
    await handle.signal(operatorSignals[action], args);
    return { ok: true, detail: 'signal sent' };
  }
  // The definitions are typed per action; the map lookup loses the pairing of name and argument, not the name.
  return handle.executeUpdate(
    operatorUpdates[action] as UpdateDefinition<OperatorActionResult, [OperatorActionArgs[A]]>,
    { args: [args] },
  );
}

/** Checks a webinar input with the workflow's own rules; throws WebinarInputError naming every bad field. */
export function checkWebinarSpec(spec: unknown): void {
  const validated = validateWebinarSpec(spec);
  if (!validated.ok) throw new WebinarInputError(validated.errors, 'webinar input');
}

/** Key-sorted JSON, so equal inputs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specHash(spec: WebinarSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof WorkflowNotFoundError || (err instanceof Error && (err as { code?: unknown }).code === 5) // gRPC NOT_FOUND
  );
}

function failureReason(err: WorkflowUpdateFailedError): string {
  const cause = err.cause;
  return cause?.message || err.message;
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

export class WebinarClient {
  readonly client: Client;
  readonly taskQueue: string;
  private readonly reusePolicy: WorkflowIdReusePolicy;
  private readonly ownsConnection: boolean;
  private readonly calendar: CalendarConfig | false;

  constructor(client: Client, options: WebinarClientOptions = {}, ownsConnection = false) {
    this.calendar = options.calendar ?? {};
    this.client = client;
    this.taskQueue = options.taskQueue ?? DEFAULT_WEBINAR_TASK_QUEUE;
    this.reusePolicy = options.workflowIdReusePolicy ?? 'REJECT_DUPLICATE';
    this.ownsConnection = ownsConnection;
  }

  /**
   * Connects with the environment's settings (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TLS,
   * API key, payload codec), `overrides` winning. Throws ConfigError naming every bad setting.
   */
  static async connect(
    overrides: { address?: string; namespace?: string; taskQueue?: string } = {},
    env: NodeJS.ProcessEnv = process.env,
    options: Omit<WebinarClientOptions, 'taskQueue'> = {},
  ): Promise<WebinarClient> {
    const problems: ConfigProblem[] = [];
    const config: TemporalConnectionConfig = readTemporalConnectionConfig(env, problems, overrides);
    if (problems.length > 0) throw new ConfigError(problems, 'client configuration');
    const client = await connectClient(config);
    return new WebinarClient(client, { ...options, taskQueue: config.taskQueue }, true);
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.client.connection.close();
  }

  handle(webinarId: string): WebinarHandle {
    return this.client.workflow.getHandle<typeof webinarWorkflow>(webinarWorkflowId(webinarId));
  }

  /**
   * Starts the webinar's workflow (ID `webinar-<webinarId>`). Idempotent: when a webinar with this ID already
   * exists with the same input, returns it (`created: false`); with a different input, throws
   * WebinarConflictError. An invalid input throws WebinarInputError naming every bad field.
   */
  async schedule(spec: WebinarSpec): Promise<ScheduleResult> {
    const validated = validateWebinarSpec(spec);
    if (!validated.ok) throw new WebinarInputError(validated.errors, 'webinar input');
    const normalized = validated.value;
    const hash = specHash(normalized);
    const workflowId = webinarWorkflowId(normalized.webinarId);
    try {
      const planned = await calendarStart(this.client, spec, normalized, this.calendar);
      const handle = await this.client.workflow.start<typeof webinarWorkflow>(WEBINAR_WORKFLOW_TYPE, {
        args: [planned.spec],
        taskQueue: this.taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: this.reusePolicy,
        memo: { [SPEC_HASH_MEMO]: hash },
        typedSearchAttributes: [
          { key: WEBINAR_ID, value: normalized.webinarId },
          { key: WEBINAR_PHASE, value: 'SCHEDULED' },
          { key: WEBINAR_START_AT, value: new Date(Date.parse(normalized.startAt)) },
          ...planned.searchAttributes,
        ],
      });
      return {
        webinarId: normalized.webinarId,
        workflowId,
        runId: handle.firstExecutionRunId,
        created: true,
        handle,
        ...(planned.decision ? { calendar: planned.decision } : {}),
      };
    } catch (err) {
      const refused = err instanceof WebinarOverCommittedError;
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) && !refused) throw err;
      // A refused retry of a webinar already scheduled returns it, as any retry does.
      const existing = await this.handle(normalized.webinarId)
        .describe()
        .catch((e: unknown) => {
          throw refused && isNotFound(e) ? err : e;
        });
      if (existing.memo?.[SPEC_HASH_MEMO] === hash) {
        const handle = this.client.workflow.getHandle<typeof webinarWorkflow>(workflowId, existing.runId);
        return { webinarId: normalized.webinarId, workflowId, runId: existing.runId, created: false, handle };
      }
      const phase = existing.typedSearchAttributes.get(WEBINAR_PHASE) ?? existing.status.name;
      throw new WebinarConflictError(
        normalized.webinarId,
        `Webinar "${normalized.webinarId}" already exists (phase ${phase}, workflow status ${existing.status.name}) ` +
          'with a different input. Webinar IDs are used once: change it with its operator actions (new times, ' +
          'attendees added or removed), or schedule under a new webinarId.',
      );
    }
  }

  /**
   * Runs any operator action of the table by its name, with its typed argument: an Update (returns the result or
   * throws WebinarActionRejectedError) or, with `fireAndForget`, a Signal. A bad argument throws WebinarInputError
   * before anything is sent; an unknown webinar, WebinarNotFoundError.
   */
  async action<A extends OperatorAction>(
    webinarId: string,
    action: A,
    args: OperatorActionArgs[A],
    options: { fireAndForget: true },
  ): Promise<SignalSent>;
  async action<A extends OperatorAction>(
    webinarId: string,
    action: A,
    args: OperatorActionArgs[A],
    options?: { fireAndForget?: false },
  ): Promise<OperatorActionResult>;
  async action<A extends OperatorAction>(
    webinarId: string,
    action: A,
    args: OperatorActionArgs[A],
    options?: ActionOptions,
  ): Promise<OperatorActionResult | SignalSent>;
  async action<A extends OperatorAction>(
    webinarId: string,
    action: A,
    args: OperatorActionArgs[A],
    options: ActionOptions = {},
  ): Promise<OperatorActionResult | SignalSent> {
    try {
      return await sendOperatorAction(this.handle(webinarId), action, args, options);
    } catch (err) {
      if (isNotFound(err)) throw await this.notFoundOrClosed(webinarId, action);
      if (err instanceof WorkflowUpdateFailedError)
        throw new WebinarActionRejectedError(action, failureReason(err));
      throw err;
    }
  }

  /** An action on a closed webinar fails like one on a missing webinar: tell the two apart for the operator. */
  private async notFoundOrClosed(webinarId: string, action: OperatorAction): Promise<Error> {
    try {
      const d = await this.handle(webinarId).describe();
      const phase = d.typedSearchAttributes.get(WEBINAR_PHASE) ?? 'unknown phase';
      return new WebinarActionRejectedError(
        action,
        `webinar "${webinarId}" has already closed (phase ${phase}, workflow status ${d.status.name})`,
      );
    } catch (err) {
      if (isNotFound(err)) return new WebinarNotFoundError(webinarId);
      throw err;
    }
  }

  /**
   * The webinar's status. By default from its published memo (domain/status-memo.ts) through `describe()`: no
   * worker needed, no replay, as fresh as the last upsert (every phase change; while registering, at most every
   * 5 s of workflow time). Only the live query has meeting IDs, the replicas' Regions and seats, the speakers'
   * IDs, `rejected` and `teardownFailure` (statusFromMemo says what stands in for them). `{ live: true }`, or a
   * run recorded before the memo existed, asks the `status` query (a worker answers; retried past the
   * stale-run guard).
   */
  async status(webinarId: string, options: StatusOptions = {}): Promise<WebinarStatusRead> {
    try {
      if (!options.live) {
        const memo = (await this.handle(webinarId).describe()).memo?.[STATUS_MEMO_KEY];
        if (isStatusMemo(memo)) return statusFromMemo(webinarId, memo);
      }
      return statusFromQuery(await queryPastStaleRuns(() => this.handle(webinarId).query(statusQuery)));
    } catch (err) {
      if (isNotFound(err)) throw new WebinarNotFoundError(webinarId);
      throw err;
    }
  }

  /** Where an attendee was placed (no JoinToken: get it from Chime with GetAttendee). */
  async attendee(webinarId: string, externalUserId: string): Promise<AttendeeLocation> {
    const validated = validateSpeakerArgs({ externalUserId });
    if (!validated.ok) throw new WebinarInputError(validated.errors, 'attendee query argument');
    try {
      return await queryPastStaleRuns(() => this.handle(webinarId).query(attendeeQuery, { externalUserId }));
    } catch (err) {
      if (isNotFound(err)) throw new WebinarNotFoundError(webinarId);
      throw err;
    }
  }

  /** Requests cancellation: the workflow tears everything down, then ends CANCELLED. */
  async cancel(webinarId: string): Promise<void> {
    try {
      await this.handle(webinarId).cancel();
    } catch (err) {
      if (isNotFound(err)) throw new WebinarNotFoundError(webinarId);
      throw err;
    }
  }

  /** The workflow's outcome; throws WorkflowFailedError when it failed or was cancelled. */
  result(webinarId: string): Promise<WebinarOutcome> {
    return this.handle(webinarId).result();
  }

  /**
   * Webinars in the namespace, newest first (visibility query): optionally in one phase, and starting in a window
   * (WebinarStartAt, `startsFrom` inclusive, `startsBefore` exclusive). Each row carries the counts of the
   * webinar's status memo, when its run publishes one.
   */
  async list(options: ListOptions = {}): Promise<WebinarSummary[]> {
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
    for await (const info of this.client.workflow.list({ query })) {
      out.push(summarize(info));
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Writes the webinar's history as JSON (the `temporal workflow show --output json` format), which
   * `Worker.runReplayHistory({ workflowsPath }, JSON.parse(text))` replays. Returns the number of events.
   */
  async exportHistory(webinarId: string, file: string): Promise<{ file: string; events: number }> {
    let history;
    try {
      history = await this.handle(webinarId).fetchHistory();
    } catch (err) {
      if (isNotFound(err)) throw new WebinarNotFoundError(webinarId);
      throw err;
    }
    await writeFile(file, `${historyToJSON(history)}\n`);
    return { file, events: history.events?.length ?? 0 };
  }
}
