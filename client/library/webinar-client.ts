/**
 * The typed client library for scheduling systems and operators: schedule a webinar idempotently by its ID,
 * run operator actions (Update by default, Signal with `fireAndForget`), read its status, list webinars by
 * phase, cancel, and export a history for replay tests. Inputs are checked here with the same validators the
 * workflow uses (domain/validation/ and the action table, domain/operator-action-table.ts), so a bad input is rejected before
 * anything reaches Temporal. Every operator action runs through one typed method, `action(webinarId, name, args)`.
 * Beside it: how an action is sent (operator-actions.ts), the listing (webinar-list.ts) and the input's check and
 * hash (webinar-spec.ts).
 */
import { writeFile } from 'node:fs/promises';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type WorkflowIdReusePolicy,
} from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchRunHistory } from './run-history';
import {
  validateSpeakerArgs,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../domain/operator-action-table';
import type { CalendarDecision } from '../../domain/calendar';
import { WEBINAR_PHASE, WEBINAR_ID, WEBINAR_START_AT } from '../../domain/search-attributes';
import {
  isStatusMemo,
  STATUS_MEMO_KEY,
  statusFromMemo,
  statusFromQuery,
  type WebinarStatusRead,
} from '../../domain/status-memo';
import type { AttendeeLocation, OperatorActionResult, WebinarSpec } from '../../domain/types';
import { validateWebinarSpec } from '../../domain/validation/spec';
import {
  attendeeQuery,
  DEFAULT_WEBINAR_TASK_QUEUE,
  statusQuery,
  WEBINAR_WORKFLOW_TYPE,
  webinarWorkflowId,
} from '../../workflows/definitions';
import type { webinarWorkflow, WebinarOutcome } from '../../workflows/webinar';
import {
  connectClient,
  ConfigError,
  readTemporalConnectionConfig,
  type ConfigProblem,
  type TemporalConnectionConfig,
} from '../temporal/connection';
import { calendarStart, WebinarOverCommittedError, type CalendarConfig } from './calendar';
import {
  isNotFound,
  WebinarActionRejectedError,
  WebinarConflictError,
  WebinarInputError,
  WebinarNotFoundError,
} from './errors';
import {
  sendOperatorAction,
  type ActionOptions,
  type SignalSent,
  type WebinarHandle,
} from './operator-actions';
import { queryPastStaleRuns } from './query-retry';
import { SPEC_HASH_MEMO, specHash } from './webinar-spec';
import { listWebinars, type ListOptions, type WebinarSummary } from './webinar-list';

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

export interface StatusOptions {
  /** Ask the live `status` query (needs a worker) instead of reading the published memo. */
  live?: boolean;
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

function failureReason(err: WorkflowUpdateFailedError): string {
  const cause = err.cause;
  return cause?.message || err.message;
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
   * run with no memo yet (before its first workflow task), asks the `status` query (a worker answers; retried past the
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
    return listWebinars(this.client, options);
  }

  /**
   * Writes the webinar's history as JSON (the `temporal workflow show --output json` format), which
   * `Worker.runReplayHistory({ workflowsPath }, JSON.parse(text))` replays. Returns the number of events.
   */
  async exportHistory(webinarId: string, file: string): Promise<{ file: string; events: number }> {
    let history;
    try {
      history = await fetchRunHistory(this.client.workflow, webinarWorkflowId(webinarId));
    } catch (err) {
      if (isNotFound(err)) throw new WebinarNotFoundError(webinarId);
      throw err;
    }
    await writeFile(file, `${historyToJSON(history)}\n`);
    return { file, events: history.events?.length ?? 0 };
  }
}
