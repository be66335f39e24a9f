/**
 * Every Amazon Chime SDK Meetings operation as a Temporal activity, bound to an injected client factory (the
 * dependency-injection pattern of the Temporal TypeScript samples). Each activity makes exactly one API call
 * (listAttendees: one per page), so one activity task on a rate-limited task queue is one unit of API budget.
 * Longer than the project's ~450 lines on purpose: it is one table of 16 short bindings (input → command →
 * result), which read best side by side; their error mapping and redaction live in errors.ts and redact.ts.
 */
import {
  BatchCreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
  ListTagsForResourceCommand,
  StartMeetingTranscriptionCommand,
  StopMeetingTranscriptionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAttendeeCapabilitiesCommand,
  type Attendee,
  type ChimeSDKMeetingsClient,
  type CreateAttendeeError,
  type Meeting,
  type Tag,
} from '@aws-sdk/client-chime-sdk-meetings';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, type Logger } from '@temporalio/common';
import type {
  AttendeeError,
  AttendeeInfo,
  ChimeActivities,
  ChimeOperation,
  CreateMeetingInput,
  MeetingInfo,
  NewAttendee,
} from '../domain/chime';
import { jitteredRetryDelayMs } from '../domain/chime';
import type { ChimeClientFactory } from './clients';
import { classify, isNotFound, toActivityFailure, withJitteredDelay } from './errors';
import { redact } from './redact';
import { withWorkerTag } from './worker-tag';

export interface ChimeActivityDeps {
  clients: ChimeClientFactory;
  /** Defaults to the activity context's logger (a no-op outside an activity). */
  logger?: Logger;
  /** Page size of ListAttendees (1–100). */
  listPageSize?: number;
  /** The source of retry jitter (tests pin it). */
  random?: () => number;
}

/**
 * A page of ListAttendees after the first that fails retryably is retried in place this many times (after the
 * same jittered delay Temporal's retry would wait): a retry of the whole activity would read every page again,
 * and under throttling a long roster would then rarely get through.
 */
const PAGE_RETRIES_IN_PLACE = 4;

type LogMeta = Record<string, unknown>;

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function malformed(operation: ChimeOperation, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${operation}: the service response lacks ${what}`,
    type: 'MalformedResponse',
    nonRetryable: false,
  });
}

function toMeetingInfo(operation: ChimeOperation, meeting: Meeting | undefined): MeetingInfo {
  if (!meeting?.MeetingId || !meeting.MediaRegion)
    throw malformed(operation, 'Meeting.MeetingId/MediaRegion');
  return {
    meetingId: meeting.MeetingId,
    mediaRegion: meeting.MediaRegion,
    ...(meeting.MeetingArn ? { meetingArn: meeting.MeetingArn } : {}),
    ...(meeting.PrimaryMeetingId ? { primaryMeetingId: meeting.PrimaryMeetingId } : {}),
    ...(meeting.ExternalMeetingId ? { externalMeetingId: meeting.ExternalMeetingId } : {}),
  };
}

/** Copies only what the workflow may see: never the JoinToken. */
function toAttendeeInfo(operation: ChimeOperation, attendee: Attendee | undefined): AttendeeInfo {
  if (!attendee?.AttendeeId) throw malformed(operation, 'Attendee.AttendeeId');
  return {
    attendeeId: attendee.AttendeeId,
    externalUserId: attendee.ExternalUserId ?? '',
    ...(attendee.Capabilities ? { capabilities: { ...attendee.Capabilities } } : {}),
  };
}

function toAttendeeError(error: CreateAttendeeError): AttendeeError {
  return {
    externalUserId: error.ExternalUserId ?? '',
    errorCode: error.ErrorCode ?? 'Unknown',
    errorMessage: error.ErrorMessage ?? '',
  };
}

function toRequestItems(
  attendees: NewAttendee[],
): { ExternalUserId: string; Capabilities?: NewAttendee['capabilities'] }[] {
  return attendees.map((a) => ({
    ExternalUserId: a.externalUserId,
    ...(a.capabilities ? { Capabilities: a.capabilities } : {}),
  }));
}

function toTags(tags: Tag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
}

export function createChimeActivities(deps: ChimeActivityDeps): ChimeActivities {
  const { clients } = deps;
  const pageSize = deps.listPageSize ?? 100;

  function logger(): Logger | undefined {
    return deps.logger ?? currentContext()?.log;
  }

  /** One API call: the cancellation signal of the activity is passed on, every error goes through the table. */
  async function call<T>(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    send: (client: ChimeSDKMeetingsClient, options: { abortSignal?: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    const ctx = currentContext();
    const region = controlRegion ?? clients.defaultRegion;
    const client = clients.client(controlRegion);
    const started = Date.now();
    try {
      const result = await send(client, ctx ? { abortSignal: ctx.cancellationSignal } : {});
      logger()?.debug(`chime ${operation} ok`, {
        operation,
        controlRegion: region,
        ms: Date.now() - started,
        ...meta,
      });
      return result;
    } catch (err) {
      if (ctx?.cancellationSignal.aborted) {
        const reason: unknown = ctx.cancellationSignal.reason;
        throw reason instanceof Error ? reason : err;
      }
      throw err;
    }
  }

  /** Logs a failure once (redacted meta only) and converts it. */
  function fail(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    err: unknown,
  ): Error {
    const service = classify(err, operation);
    const attempt = currentContext()?.info.attempt;
    const retry = attempt !== undefined ? { attempt, random: deps.random } : undefined;
    const d = withJitteredDelay(service, retry);
    logger()?.warn(`chime ${operation} failed: ${d.type}`, {
      operation,
      controlRegion: controlRegion ?? clients.defaultRegion,
      errorType: d.type,
      retryable: d.retryable,
      ...(service.nextRetryDelayMs !== undefined ? { retryAfterMs: service.nextRetryDelayMs } : {}),
      ...(d.nextRetryDelayMs !== undefined ? { retryDelayMs: d.nextRetryDelayMs } : {}),
      ...meta,
    });
    return toActivityFailure(err, operation, retry);
  }

  async function guarded<T>(
    operation: ChimeOperation,
    controlRegion: string | undefined,
    meta: LogMeta,
    send: (client: ChimeSDKMeetingsClient, options: { abortSignal?: AbortSignal }) => Promise<T>,
    onNotFound?: () => T,
  ): Promise<T> {
    try {
      return await call(operation, controlRegion, meta, send);
    } catch (err) {
      if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
      if (onNotFound && isNotFound(err)) {
        logger()?.info(`chime ${operation}: not found, treated as already done`, { operation, ...meta });
        return onNotFound();
      }
      throw fail(operation, controlRegion, meta, err);
    }
  }

  /** One page read again after a pause while it fails retryably (see PAGE_RETRIES_IN_PLACE). */
  async function retriedInPlace<T>(
    read: () => Promise<T>,
    progress: { pages: number; attendees: unknown[] },
  ) {
    for (let retry = 1; ; retry++) {
      try {
        return await read();
      } catch (err) {
        const ctx = currentContext();
        const retryable = err instanceof ApplicationFailure && !err.nonRetryable;
        if (!retryable || retry > PAGE_RETRIES_IN_PLACE || !ctx) throw err;
        // The service's Retry-After wins (toActivityFailure keeps it in the details), else the jittered envelope.
        const details = err.details?.[0] as { retryAfterMs?: number | null } | undefined;
        const delay = details?.retryAfterMs ?? jitteredRetryDelayMs(retry, deps.random);
        ctx.heartbeat({ pages: progress.pages, attendees: progress.attendees.length, pageRetry: retry });
        await ctx.sleep(delay);
      }
    }
  }

  return {
    async createMeeting(input: CreateMeetingInput): Promise<MeetingInfo> {
      const meta = { externalMeetingId: redact(input.externalMeetingId), mediaRegion: input.mediaRegion };
      const out = await guarded('createMeeting', input.controlRegion, meta, (c, o) =>
        c.send(
          new CreateMeetingCommand({
            ClientRequestToken: input.clientRequestToken,
            ExternalMeetingId: input.externalMeetingId,
            MediaRegion: input.mediaRegion,
            PrimaryMeetingId: input.primaryMeetingId,
            MeetingFeatures: input.meetingFeatures,
            Tags: withWorkerTag(input.tags),
            TenantIds: input.tenantIds,
          }),
          o,
        ),
      );
      return toMeetingInfo('createMeeting', out.Meeting);
    },

    async createMeetingWithAttendees(input) {
      const meta = {
        externalMeetingId: redact(input.externalMeetingId),
        mediaRegion: input.mediaRegion,
        attendees: input.attendees.length,
      };
      const out = await guarded('createMeetingWithAttendees', input.controlRegion, meta, (c, o) =>
        c.send(
          new CreateMeetingWithAttendeesCommand({
            ClientRequestToken: input.clientRequestToken,
            ExternalMeetingId: input.externalMeetingId,
            MediaRegion: input.mediaRegion,
            PrimaryMeetingId: input.primaryMeetingId,
            MeetingFeatures: input.meetingFeatures,
            Tags: input.tags,
            TenantIds: input.tenantIds,
            Attendees: toRequestItems(input.attendees),
          }),
          o,
        ),
      );
      return {
        meeting: toMeetingInfo('createMeetingWithAttendees', out.Meeting),
        attendees: (out.Attendees ?? []).map((a) => toAttendeeInfo('createMeetingWithAttendees', a)),
        errors: (out.Errors ?? []).map(toAttendeeError),
      };
    },

    async getMeeting(input) {
      const meta = { meetingId: input.meetingId };
      const out = await guarded(
        'getMeeting',
        input.controlRegion,
        meta,
        (c, o) => c.send(new GetMeetingCommand({ MeetingId: input.meetingId }), o),
        () => null,
      );
      return out === null ? null : toMeetingInfo('getMeeting', out.Meeting);
    },

    async deleteMeeting(input) {
      return guarded<{ deleted: boolean }>(
        'deleteMeeting',
        input.controlRegion,
        { meetingId: input.meetingId },
        async (c, o) => {
          await c.send(new DeleteMeetingCommand({ MeetingId: input.meetingId }), o);
          return { deleted: true };
        },
        () => ({ deleted: false }),
      );
    },

    async createAttendee(input) {
      const meta = { meetingId: input.meetingId, externalUserId: redact(input.externalUserId) };
      const out = await guarded('createAttendee', input.controlRegion, meta, (c, o) =>
        c.send(
          new CreateAttendeeCommand({
            MeetingId: input.meetingId,
            ExternalUserId: input.externalUserId,
            ...(input.capabilities ? { Capabilities: input.capabilities } : {}),
          }),
          o,
        ),
      );
      return toAttendeeInfo('createAttendee', out.Attendee);
    },

    async batchCreateAttendee(input) {
      if (input.attendees.length === 0) return { attendees: [], errors: [] };
      const meta = { meetingId: input.meetingId, attendees: input.attendees.length };
      // Idempotent by design: the service returns the existing attendee for an ExternalUserId already in the
      // meeting, so re-running a batch after a crash registers no one twice.
      const out = await guarded('batchCreateAttendee', input.controlRegion, meta, (c, o) =>
        c.send(
          new BatchCreateAttendeeCommand({
            MeetingId: input.meetingId,
            Attendees: toRequestItems(input.attendees),
          }),
          o,
        ),
      );
      const errors = (out.Errors ?? []).map(toAttendeeError);
      if (errors.length > 0) {
        logger()?.warn(`chime batchCreateAttendee: ${errors.length} attendee(s) rejected`, {
          ...meta,
          rejected: errors.map((e) => ({ externalUserId: redact(e.externalUserId), errorCode: e.errorCode })),
        });
      }
      return {
        attendees: (out.Attendees ?? []).map((a) => toAttendeeInfo('batchCreateAttendee', a)),
        errors,
      };
    },

    async getAttendee(input) {
      const out = await guarded(
        'getAttendee',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        (c, o) =>
          c.send(new GetAttendeeCommand({ MeetingId: input.meetingId, AttendeeId: input.attendeeId }), o),
        () => null,
      );
      return out === null ? null : toAttendeeInfo('getAttendee', out.Attendee);
    },

    async listAttendees(input) {
      const ctx = currentContext();
      const attendees: AttendeeInfo[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const token = nextToken;
        const readPage = () =>
          guarded('listAttendees', input.controlRegion, { meetingId: input.meetingId, page: pages }, (c, o) =>
            c.send(
              new ListAttendeesCommand({
                MeetingId: input.meetingId,
                MaxResults: pageSize,
                NextToken: token,
              }),
              o,
            ),
          );
        const out = pages === 0 ? await readPage() : await retriedInPlace(readPage, { pages, attendees });
        for (const a of out.Attendees ?? []) attendees.push(toAttendeeInfo('listAttendees', a));
        nextToken = out.NextToken;
        pages += 1;
        // Liveness and a cancellation point between pages; the details carry counts only (no personal data).
        ctx?.heartbeat({ pages, attendees: attendees.length });
      } while (nextToken);
      return attendees;
    },

    async deleteAttendee(input) {
      return guarded<{ deleted: boolean }>(
        'deleteAttendee',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        async (c, o) => {
          await c.send(
            new DeleteAttendeeCommand({ MeetingId: input.meetingId, AttendeeId: input.attendeeId }),
            o,
          );
          return { deleted: true };
        },
        () => ({ deleted: false }),
      );
    },

    async updateAttendeeCapabilities(input) {
      const out = await guarded(
        'updateAttendeeCapabilities',
        input.controlRegion,
        { meetingId: input.meetingId, attendeeId: input.attendeeId },
        (c, o) =>
          c.send(
            new UpdateAttendeeCapabilitiesCommand({
              MeetingId: input.meetingId,
              AttendeeId: input.attendeeId,
              Capabilities: input.capabilities,
            }),
            o,
          ),
      );
      return toAttendeeInfo('updateAttendeeCapabilities', out.Attendee);
    },

    async batchUpdateAttendeeCapabilitiesExcept(input) {
      await guarded(
        'batchUpdateAttendeeCapabilitiesExcept',
        input.controlRegion,
        { meetingId: input.meetingId, excluded: input.excludedAttendeeIds.length },
        (c, o) =>
          c.send(
            new BatchUpdateAttendeeCapabilitiesExceptCommand({
              MeetingId: input.meetingId,
              ExcludedAttendeeIds: input.excludedAttendeeIds.map((AttendeeId) => ({ AttendeeId })),
              Capabilities: input.capabilities,
            }),
            o,
          ),
      );
    },

    async startMeetingTranscription(input) {
      await guarded(
        'startMeetingTranscription',
        input.controlRegion,
        { meetingId: input.meetingId },
        (c, o) =>
          c.send(
            new StartMeetingTranscriptionCommand({
              MeetingId: input.meetingId,
              TranscriptionConfiguration: input.transcriptionConfiguration,
            }),
            o,
          ),
      );
    },

    async stopMeetingTranscription(input) {
      return guarded<{ stopped: boolean }>(
        'stopMeetingTranscription',
        input.controlRegion,
        { meetingId: input.meetingId },
        async (c, o) => {
          await c.send(new StopMeetingTranscriptionCommand({ MeetingId: input.meetingId }), o);
          return { stopped: true };
        },
        () => ({ stopped: false }),
      );
    },

    async tagResource(input) {
      await guarded('tagResource', input.controlRegion, { resourceArn: input.resourceArn }, (c, o) =>
        c.send(new TagResourceCommand({ ResourceARN: input.resourceArn, Tags: toTags(input.tags) }), o),
      );
    },

    async untagResource(input) {
      await guarded('untagResource', input.controlRegion, { resourceArn: input.resourceArn }, (c, o) =>
        c.send(new UntagResourceCommand({ ResourceARN: input.resourceArn, TagKeys: input.tagKeys }), o),
      );
    },

    async listTagsForResource(input) {
      const out = await guarded(
        'listTagsForResource',
        input.controlRegion,
        { resourceArn: input.resourceArn },
        (c, o) => c.send(new ListTagsForResourceCommand({ ResourceARN: input.resourceArn }), o),
      );
      return toTags(out.Tags);
    },
  };
}
