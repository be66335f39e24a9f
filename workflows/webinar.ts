/**
 * The webinar workflow: one durable run per webinar, from schedule to teardown.
 *
 *   SCHEDULED → PROVISIONING → READY → LIVE → TEARING_DOWN → ENDED   (or FAILED / CANCELLED after teardown)
 *
 * Deterministic code only: every Chime call is an activity, every wait a Temporal timer or condition.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import { attendeeCapabilities } from '../domain/capabilities';
import {
  placeLateAttendee,
  planCapacity,
  type CapacityOptions,
  type PlannedMeeting,
} from '../domain/capacity';
import {
  chimeActivityOptions,
  meetingRequestToken,
  type AttendeeInfo,
  type ChimeActivities,
  type MeetingInfo,
} from '../domain/chime';
import { WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT } from '../domain/search-attributes';
import type {
  AddAttendeesArgs,
  AttendeeLocation,
  AttendeeQueryArgs,
  EndWebinarArgs,
  MuteAllExceptArgs,
  OperatorActionResult,
  RejectedAction,
  RemoveAttendeeArgs,
  RescheduleArgs,
  SpeakerArgs,
  StartTranscriptionArgs,
  TranscriptionSettings,
  WebinarPhase,
  WebinarSpec,
  WebinarStatus,
} from '../domain/types';
import {
  BATCH_SIZE,
  attendeesPerMeeting,
  toTranscriptionConfiguration,
  validateAddAttendeesArgs,
  validateEndWebinarArgs,
  validateMuteAllExceptArgs,
  validateRemoveAttendeeArgs,
  validateRescheduleArgs,
  validateSpeakerArgs,
  validateTranscriptionSettings,
  validateWebinarSpec,
  formatFieldErrors,
  type FieldError,
  type NormalizedWebinarSpec,
  type Validated,
} from '../domain/validation';
import {
  OPERATOR_ACTIONS,
  attendeeQuery,
  operatorSignals,
  operatorUpdates,
  statusQuery,
  type OperatorAction,
} from './definitions';
import { Mutex, mapBounded } from './concurrency';
import { deadlineFired, startPeriodic, stillAhead } from './deadlines';
import { Roster, type MeetingKey, type PackedRoster, type RosterEntry } from './roster';

/** How often a READY or LIVE webinar asks the service whether its primary meeting still exists. */
export const HEALTH_CHECK_INTERVAL_MS = 60_000;
/** Batches of BatchCreateAttendee in flight at once; the task-queue rate limit does the real pacing. */
export const MAX_BATCHES_IN_FLIGHT = 16;
/** Rounds of re-registration for attendees whose per-attendee error is transient. */
export const REGISTRATION_ROUNDS = 3;
/** A READY webinar whose start moved further away than this releases its meetings and goes back to SCHEDULED. */
export const RELEASE_IF_START_MOVES_BEYOND_MS = 60_000;
/**
 * Patch: deadlines and meeting checks follow the timers that fired, not a clock read (workflows/deadlines.ts).
 * Runs that began before it keep the clock-read wait, so their histories replay.
 */
export const DEADLINES_FOLLOW_TIMERS = 'deadlines-follow-timers';
/** Signal rejections kept for the status query (the newest). */
export const MAX_REJECTIONS_KEPT = 50;

const TRANSIENT_ATTENDEE_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ServiceFailure',
  'ServiceFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

export interface MeetingState {
  key: MeetingKey;
  meetingId: string;
  region: string;
  meetingArn?: string;
}

/** Everything a new run needs after continue-as-new. */
export interface CarriedState {
  phase: WebinarPhase;
  generation: number;
  startAt: string;
  endAt: string;
  meetings: MeetingState[];
  roster: PackedRoster;
  transcription: 'ON' | 'OFF';
  transcriptionSettings?: TranscriptionSettings;
  rejected: RejectedAction[];
  lastError?: string;
  endReason?: string;
}

export interface WebinarOutcome {
  webinarId: string;
  phase: 'ENDED';
  generation: number;
  reason: string;
  attendees: { requested: number; registered: number; failed: number };
}

export async function webinarWorkflow(input: WebinarSpec, carried?: CarriedState): Promise<WebinarOutcome> {
  const validated = validateWebinarSpec(input);
  if (!validated.ok) {
    throw ApplicationFailure.create({
      type: 'ValidationError',
      nonRetryable: true,
      message: formatFieldErrors(validated.errors),
      details: [validated.errors],
    });
  }
  const webinar = new Webinar(validated.value, carried);
  webinar.registerHandlers();
  return webinar.run();
}

type ActionRejection = Error;

function reject(message: string): ActionRejection {
  return new Error(message);
}

function requireValid<T>(action: string, result: Validated<T>): T {
  if (result.ok) return result.value;
  throw reject(`${action}: ${describeFieldErrors(result.errors)}`);
}

function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

/** The AWS error name of a failed activity (its ApplicationFailure type), if there is one. */
function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? undefined;
  if (err instanceof ApplicationFailure) return err.type ?? undefined;
  return undefined;
}

class Webinar {
  private readonly spec: NormalizedWebinarSpec;
  private phase: WebinarPhase;
  private generation: number;
  private startAt: string;
  private endAt: string;
  private readonly meetings = new Map<MeetingKey, MeetingState>();
  private readonly roster: Roster;
  private transcription: 'ON' | 'OFF';
  private transcriptionSettings?: TranscriptionSettings;
  private rejected: RejectedAction[];
  private lastError?: string;
  private endReason?: string;
  /** Bumped by every message that can change what the main loop waits for. */
  private changes = 0;
  private lastHealthCheck = 0;
  /** Chime calls that change meetings or attendees run one at a time: no handler interleaves unsafely. */
  private readonly chimeLock = new Mutex();
  private readonly bulk: ChimeActivities;
  private readonly operator: ChimeActivities;
  private provisioning?: CancellationScope;

  constructor(spec: NormalizedWebinarSpec, carried?: CarriedState) {
    this.spec = spec;
    this.phase = carried?.phase ?? 'SCHEDULED';
    this.generation = carried?.generation ?? 1;
    this.startAt = carried?.startAt ?? spec.startAt;
    this.endAt = carried?.endAt ?? spec.endAt;
    for (const m of carried?.meetings ?? []) this.meetings.set(m.key, m);
    this.roster = carried ? Roster.decode(carried.roster) : Roster.fromSpecs(spec.attendees);
    this.transcription = carried?.transcription ?? 'OFF';
    this.transcriptionSettings = carried ? carried.transcriptionSettings : spec.transcription;
    this.rejected = carried?.rejected ?? [];
    this.lastError = carried?.lastError;
    this.endReason = carried?.endReason;
    this.bulk = proxyActivities<ChimeActivities>(chimeActivityOptions('bulk', spec.controlRegion));
    this.operator = proxyActivities<ChimeActivities>(chimeActivityOptions('operator', spec.controlRegion));
  }

  // ---------------------------------------------------------------- lifecycle

  async run(): Promise<WebinarOutcome> {
    this.publishPhase();
    let next: 'end' | 'continue';
    try {
      next = await this.lifecycle();
    } catch (err) {
      if (isCancellation(err)) {
        this.endReason = 'cancelled';
        await this.teardown('CANCELLED');
        throw err;
      }
      this.lastError = errorMessage(err);
      const failedIn = this.phase;
      await this.teardown('FAILED');
      throw ApplicationFailure.create({
        type: 'WebinarFailed',
        nonRetryable: true,
        message: `Webinar ${this.spec.webinarId} failed during ${failedIn}: ${this.lastError}`,
        cause: err instanceof Error ? err : undefined,
      });
    }
    if (next === 'continue') {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webinarWorkflow>({ ...this.spec, attendees: [] }, this.carry());
    }
    await this.teardown('ENDED');
    await condition(allHandlersFinished);
    return {
      webinarId: this.spec.webinarId,
      phase: 'ENDED',
      generation: this.generation,
      reason: this.endReason ?? 'ended at endAt',
      attendees: this.roster.counts(),
    };
  }

  private async lifecycle(): Promise<'end' | 'continue'> {
    for (;;) {
      if (this.endReason !== undefined) return 'end';
      switch (this.phase) {
        case 'SCHEDULED': {
          const woke = await this.waitUntil(() => this.provisionAt(), false);
          if (woke === 'deadline') this.setPhase('PROVISIONING');
          else if (woke !== 'changed') return woke;
          break;
        }
        case 'PROVISIONING': {
          // endWebinar cancels provisioning so the teardown starts at once.
          this.provisioning = new CancellationScope();
          try {
            // Not under chimeLock: operator actions on attendees already registered go ahead meanwhile.
            await this.provisioning.run(() => this.provision());
          } catch (err) {
            if (isCancellation(err) && this.endReason !== undefined && !this.workflowCancelled())
              return 'end';
            throw err;
          } finally {
            this.provisioning = undefined;
          }
          // The meetings were just created: the first check of them is due one interval from now.
          if (patched('first-meeting-check-after-interval')) this.lastHealthCheck = Date.now();
          this.setPhase('READY');
          break;
        }
        case 'READY': {
          // Runs from before DEADLINES_FOLLOW_TIMERS asked the clock on every entry; newer runs ask only after a
          // change (a reschedule), through timers.
          if (
            !patched(DEADLINES_FOLLOW_TIMERS) &&
            this.provisionAt() - Date.now() > RELEASE_IF_START_MOVES_BEYOND_MS
          ) {
            await this.releaseForLaterStart();
            break;
          }
          const woke = await this.waitUntil(() => Date.parse(this.startAt), true);
          if (woke === 'deadline') {
            this.setPhase('LIVE');
            await this.chimeLock.run(() => this.startTranscriptionIfWanted());
          } else if (woke === 'changed') {
            if (patched(DEADLINES_FOLLOW_TIMERS) && (await this.startMovedFarOut()))
              await this.releaseForLaterStart();
          } else return woke;
          break;
        }
        case 'LIVE': {
          const woke = await this.waitUntil(() => Date.parse(this.endAt), true);
          if (woke === 'deadline') return 'end';
          if (woke !== 'changed') return woke;
          break;
        }
        default:
          return 'end';
      }
    }
  }

  private workflowCancelled(): boolean {
    return CancellationScope.current().consideredCancelled;
  }

  private provisionAt(): number {
    return Date.parse(this.startAt) - this.spec.provisionLeadSeconds * 1000;
  }

  /**
   * Whether the start moved so far out that an idle primary would auto-end before it. Decided by timers
   * (workflows/deadlines.ts): a clock read here could differ between a run and its replay.
   */
  private startMovedFarOut(): Promise<boolean> {
    return stillAhead(this.provisionAt() - RELEASE_IF_START_MOVES_BEYOND_MS);
  }

  /** The start moved far out: an idle primary would auto-end long before it, so give the meetings back. */
  private async releaseForLaterStart(): Promise<void> {
    await this.chimeLock.run(() => this.releaseMeetings());
    this.setPhase('SCHEDULED');
  }

  /**
   * Waits for a deadline, waking early when a message changes something ('changed'), when the webinar is ended
   * ('end') or when history is long enough to continue as new ('continue'). With `watchMeetings`, checks the
   * primary meeting every HEALTH_CHECK_INTERVAL_MS on the way.
   *
   * The deadline has come when its timer fired; the meeting check runs when its own timer fired. Neither is
   * decided by reading the clock, which may be stale (workflows/deadlines.ts says when), so no query, in any
   * timing, changes what the webinar does.
   */
  private async waitUntil(
    deadline: () => number,
    watchMeetings: boolean,
  ): Promise<'deadline' | 'changed' | 'end' | 'continue'> {
    if (!patched(DEADLINES_FOLLOW_TIMERS)) return this.waitUntilByClock(deadline, watchMeetings);
    const seen = this.changes;
    const interruption = (): 'changed' | 'end' | 'continue' | undefined => {
      if (this.endReason !== undefined) return 'end';
      if (this.changes !== seen) return 'changed';
      if (workflowInfo().continueAsNewSuggested) return 'continue';
      return undefined;
    };
    const before = interruption();
    if (before) return before;
    const watcher = watchMeetings
      ? startPeriodic(
          () => this.lastHealthCheck + HEALTH_CHECK_INTERVAL_MS,
          () => this.checkMeetings(),
        )
      : undefined;
    let fired: boolean;
    try {
      fired = await deadlineFired(deadline(), () => interruption() !== undefined || !!watcher?.failed());
    } finally {
      // An in-flight meeting check finishes first; its error, if any, is the webinar's.
      await watcher?.stop();
    }
    return fired ? 'deadline' : (interruption() ?? 'changed');
  }

  /** The wait of runs that began before DEADLINES_FOLLOW_TIMERS; kept so their histories replay. */
  private async waitUntilByClock(
    deadline: () => number,
    watchMeetings: boolean,
  ): Promise<'deadline' | 'changed' | 'end' | 'continue'> {
    const seen = this.changes;
    for (;;) {
      if (this.endReason !== undefined) return 'end';
      if (this.changes !== seen) return 'changed';
      if (workflowInfo().continueAsNewSuggested) return 'continue';
      const now = Date.now();
      const remaining = deadline() - now;
      if (remaining <= 0) return 'deadline';
      const untilCheck = watchMeetings ? this.lastHealthCheck + HEALTH_CHECK_INTERVAL_MS - now : remaining;
      if (watchMeetings && untilCheck <= 0) {
        await this.checkMeetings();
        continue;
      }
      await condition(
        () => this.changes !== seen || this.endReason !== undefined || workflowInfo().continueAsNewSuggested,
        Math.min(remaining, untilCheck),
      );
    }
  }

  // ---------------------------------------------------------------- provisioning

  private capacityOptions(): CapacityOptions {
    return {
      maxReplicas: this.spec.maxReplicas,
      attendeesPerMeeting: attendeesPerMeeting(this.spec.meetingFeatures),
    };
  }

  private async provision(): Promise<void> {
    const pending = this.roster.active();
    const planned = planCapacity(
      {
        primaryRegion: this.spec.primaryRegion,
        replicaRegions: this.spec.replicaRegions,
        attendees: pending,
      },
      this.capacityOptions(),
    );
    if (!planned.ok) {
      throw ApplicationFailure.create({
        type: 'CapacityExceeded',
        nonRetryable: true,
        message: planned.message,
      });
    }
    const { plan } = planned;
    for (const meeting of [plan.primary, ...plan.replicas]) {
      for (const a of meeting.attendees) {
        const entry = this.roster.get(a.externalUserId);
        if (entry) entry.meeting = meeting.key;
      }
    }
    const primary = await this.createMeeting('primary', plan.primary.region);
    await Promise.all(
      plan.replicas.map((r: PlannedMeeting) => this.createMeeting(r.key, r.region, primary.meetingId)),
    );
    await this.registerPending();
  }

  /**
   * Creates one meeting with its stable ClientRequestToken. The call itself cannot be cancelled, so a meeting the
   * service created is always recorded, and teardown always knows about it.
   */
  private async createMeeting(
    key: MeetingKey,
    region: string,
    primaryMeetingId?: string,
  ): Promise<MeetingState> {
    const info: MeetingInfo = await CancellationScope.nonCancellable(() =>
      this.bulk.createMeeting({
        controlRegion: this.spec.controlRegion,
        clientRequestToken: meetingRequestToken(this.spec.webinarId, key, this.generation),
        externalMeetingId: this.spec.title,
        mediaRegion: region,
        primaryMeetingId,
        meetingFeatures: this.spec.meetingFeatures,
        tags: this.spec.tags.length > 0 ? this.spec.tags : undefined,
        tenantIds: this.spec.tenantIds,
      }),
    );
    const meeting: MeetingState = { key, meetingId: info.meetingId, region, meetingArn: info.meetingArn };
    this.meetings.set(key, meeting);
    return meeting;
  }

  private features(): MeetingFeaturesConfiguration | undefined {
    return this.spec.meetingFeatures;
  }

  /** Places unplaced attendees, opening replicas when needed, then registers everyone pending in batches. */
  private async registerPending(): Promise<void> {
    // Each round also seats attendees added while the previous round ran; attendees whose errors are
    // transient get REGISTRATION_ROUNDS tries, late additions at least one.
    for (let round = 1; ; round++) {
      await this.placeUnplaced();
      const batches: { meeting: MeetingState; entries: RosterEntry[] }[] = [];
      for (const meeting of this.meetings.values()) {
        const pending = this.roster.inMeeting(meeting.key).filter((e) => e.state === 'pending');
        for (let i = 0; i < pending.length; i += BATCH_SIZE) {
          batches.push({ meeting, entries: pending.slice(i, i + BATCH_SIZE) });
        }
      }
      if (batches.length === 0) break;
      const lastRound = round >= REGISTRATION_ROUNDS;
      await mapBounded(batches, MAX_BATCHES_IN_FLIGHT, (b) =>
        this.registerBatch(b.meeting, b.entries, lastRound),
      );
    }
    await this.restorePromotions();
  }

  private async registerBatch(
    meeting: MeetingState,
    entries: RosterEntry[],
    lastRound: boolean,
  ): Promise<void> {
    try {
      const result = await this.bulk.batchCreateAttendee({
        controlRegion: this.spec.controlRegion,
        meetingId: meeting.meetingId,
        attendees: entries.map((e) => ({
          externalUserId: e.externalUserId,
          capabilities: attendeeCapabilities(e.speaking ? 'speaker' : 'viewer', this.features()),
        })),
      });
      this.recordRegistered(result.attendees);
      for (const error of result.errors) {
        const entry = this.roster.get(error.externalUserId);
        if (!entry || entry.state !== 'pending') continue;
        if (lastRound || !TRANSIENT_ATTENDEE_ERRORS.has(error.errorCode)) {
          entry.state = 'failed';
          entry.error = error.errorCode;
        }
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The whole batch was refused for good (the meeting is gone, a quota, bad input): record it per attendee.
      const code = failureType(err) ?? 'BatchFailed';
      for (const e of entries) {
        if (e.state !== 'pending') continue;
        e.state = 'failed';
        e.error = code;
      }
      this.lastError = `registration in ${meeting.key} failed: ${errorMessage(err)}`;
    }
  }

  private recordRegistered(attendees: AttendeeInfo[]): void {
    for (const a of attendees) {
      const entry = this.roster.get(a.externalUserId);
      if (!entry) continue;
      entry.attendeeId = a.attendeeId;
      entry.state = 'registered';
      entry.error = undefined;
    }
  }

  /** Late attendees and attendees of a new generation get a seat: an existing meeting or a new replica. */
  private async placeUnplaced(): Promise<void> {
    const primary = this.meetings.get('primary');
    if (!primary) return;
    const unplaced = this.roster.active().filter((e) => e.meeting === undefined && e.state === 'pending');
    if (unplaced.length === 0) return;
    // Loads are counted once and kept up to date here: recounting per attendee is quadratic in the roster.
    const loads = [...this.meetings.values()].map((m) => ({
      key: m.key,
      region: m.region,
      attendees: this.roster.seatsTaken(m.key),
    }));
    const recordFailures = patched('late-replica-failure-is-per-attendee');
    let replicaRefused: { code: string; message: string } | undefined;
    for (const entry of unplaced) {
      const placement = placeLateAttendee(
        loads,
        { externalUserId: entry.externalUserId, role: entry.role, region: entry.region },
        { primaryRegion: this.spec.primaryRegion, replicaRegions: this.spec.replicaRegions },
        this.capacityOptions(),
      );
      if ('meeting' in placement) {
        entry.meeting = placement.meeting;
      } else if ('newReplica' in placement) {
        const { key, region } = placement.newReplica;
        if (replicaRefused) {
          // The service already refused a replica in this pass: do not ask again for every attendee.
          entry.state = 'failed';
          entry.error = replicaRefused.code;
          continue;
        }
        try {
          await this.createMeeting(key, region, primary.meetingId);
        } catch (err) {
          if (isCancellation(err) || !recordFailures) throw err;
          replicaRefused = { code: failureType(err) ?? 'CreateMeetingFailed', message: errorMessage(err) };
          this.lastError = `opening ${key} for late attendees failed: ${replicaRefused.message}`;
          entry.state = 'failed';
          entry.error = replicaRefused.code;
          continue;
        }
        loads.push({ key, region, attendees: 0 });
        entry.meeting = key;
      } else {
        entry.state = 'failed';
        entry.error = 'NoCapacity';
        this.lastError = placement.full;
        continue;
      }
      const load = loads.find((l) => l.key === entry.meeting);
      if (load) load.attendees++;
    }
  }

  /** After a new generation, promoted replica viewers get their primary credentials back. */
  private async restorePromotions(): Promise<void> {
    const primary = this.meetings.get('primary');
    if (!primary) return;
    for (const entry of this.roster.active()) {
      if (
        !entry.speaking ||
        entry.meeting === 'primary' ||
        entry.promotedAttendeeId ||
        entry.state !== 'registered'
      ) {
        continue;
      }
      const created = await this.bulk.createAttendee({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        externalUserId: entry.externalUserId,
        capabilities: attendeeCapabilities('speaker', this.features()),
      });
      entry.promotedAttendeeId = created.attendeeId;
    }
  }

  // ---------------------------------------------------------------- meetings' health

  /**
   * The service ends an idle primary after 5 minutes and any meeting after 24 hours. When the primary is gone,
   * the webinar provisions a new generation instead of running on with dead meetings.
   */
  private async checkMeetings(): Promise<void> {
    this.lastHealthCheck = Date.now();
    const primary = this.meetings.get('primary');
    if (!primary) return;
    const found = await this.bulk.getMeeting({
      controlRegion: this.spec.controlRegion,
      meetingId: primary.meetingId,
    });
    if (found) return;
    log.warn('Primary meeting ended by the service; provisioning a new generation', {
      webinarId: this.spec.webinarId,
      generation: this.generation,
    });
    await this.chimeLock.run(async () => {
      const wasTranscribing = this.transcription === 'ON';
      await this.releaseMeetings();
      await this.provision();
      if (wasTranscribing || (this.phase === 'LIVE' && this.transcriptionSettings)) {
        await this.startTranscriptionIfWanted();
      }
    });
  }

  /** Deletes every meeting of this generation and readies the roster for the next one. */
  private async releaseMeetings(): Promise<void> {
    await this.deleteMeetings();
    this.generation++;
    this.roster.resetRegistrations();
  }

  private async deleteMeetings(): Promise<void> {
    const primary = this.meetings.get('primary');
    if (primary && this.transcription === 'ON') {
      try {
        await this.bulk.stopMeetingTranscription({
          controlRegion: this.spec.controlRegion,
          meetingId: primary.meetingId,
        });
      } catch (err) {
        this.lastError = `stopping transcription failed: ${errorMessage(err)}`;
      }
    }
    this.transcription = 'OFF';
    // Deleting the primary deletes its replicas; any replica that outlived it is deleted on its own.
    const ordered = [...this.meetings.values()].sort((a, b) =>
      a.key === 'primary' ? -1 : b.key === 'primary' ? 1 : 0,
    );
    const [first, ...rest] = ordered;
    if (first) await this.deleteMeeting(first);
    await Promise.all(rest.map((m) => this.deleteMeeting(m)));
  }

  private async deleteMeeting(meeting: MeetingState): Promise<void> {
    await this.bulk.deleteMeeting({ controlRegion: this.spec.controlRegion, meetingId: meeting.meetingId });
    this.meetings.delete(meeting.key);
  }

  private async startTranscriptionIfWanted(): Promise<void> {
    const primary = this.meetings.get('primary');
    if (!primary || !this.transcriptionSettings || this.transcription === 'ON') return;
    try {
      await this.bulk.startMeetingTranscription({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        transcriptionConfiguration: toTranscriptionConfiguration(this.transcriptionSettings),
      });
      this.transcription = 'ON';
    } catch (err) {
      if (isCancellation(err)) throw err;
      // A webinar goes on without transcription rather than failing; the operator sees why in status.
      this.lastError = `transcription could not start: ${errorMessage(err)}`;
    }
  }

  // ---------------------------------------------------------------- teardown

  private async teardown(finalPhase: 'ENDED' | 'FAILED' | 'CANCELLED'): Promise<void> {
    this.setPhase('TEARING_DOWN');
    await CancellationScope.nonCancellable(() =>
      this.chimeLock.run(async () => {
        try {
          await this.deleteMeetings();
        } catch (err) {
          this.lastError = `teardown: ${errorMessage(err)}`;
          throw err;
        }
      }),
    );
    this.setPhase(finalPhase);
  }

  // ---------------------------------------------------------------- state, search attributes, continue-as-new

  private setPhase(phase: WebinarPhase): void {
    this.phase = phase;
    this.publishPhase();
  }

  private publishPhase(): void {
    upsertSearchAttributes([
      { key: WEBINAR_ID, value: this.spec.webinarId },
      { key: WEBINAR_PHASE, value: this.phase },
      { key: WEBINAR_START_AT, value: new Date(Date.parse(this.startAt)) },
    ]);
  }

  private carry(): CarriedState {
    return {
      phase: this.phase,
      generation: this.generation,
      startAt: this.startAt,
      endAt: this.endAt,
      meetings: [...this.meetings.values()],
      roster: this.roster.encode(),
      transcription: this.transcription,
      transcriptionSettings: this.transcriptionSettings,
      rejected: this.rejected,
      lastError: this.lastError,
      endReason: this.endReason,
    };
  }

  status(): WebinarStatus {
    const primary = this.meetings.get('primary');
    return {
      webinarId: this.spec.webinarId,
      phase: this.phase,
      startAt: this.startAt,
      endAt: this.endAt,
      generation: this.generation,
      primary: primary ? { meetingId: primary.meetingId, region: primary.region } : null,
      replicas: [...this.meetings.values()]
        .filter((m) => m.key !== 'primary')
        .map((m) => ({ meetingId: m.meetingId, region: m.region, attendees: this.roster.seatsTaken(m.key) })),
      attendees: this.roster.counts(),
      speakers: this.roster.speakers(),
      transcription: this.transcription,
      rejected: this.rejected,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  attendee({ externalUserId }: AttendeeQueryArgs): AttendeeLocation {
    const entry = this.roster.get(externalUserId);
    if (!entry || entry.state === 'removed') throw new Error(`No attendee ${externalUserId} in this webinar`);
    const primary = this.meetings.get('primary');
    if (entry.promotedAttendeeId && primary) {
      return {
        meetingId: primary.meetingId,
        attendeeId: entry.promotedAttendeeId,
        region: primary.region,
        role: entry.role,
      };
    }
    const meeting = entry.meeting ? this.meetings.get(entry.meeting) : undefined;
    if (entry.state !== 'registered' || !entry.attendeeId || !meeting) {
      throw new Error(
        `Attendee ${externalUserId} is not registered yet (${entry.state}${entry.error ? `: ${entry.error}` : ''})`,
      );
    }
    return {
      meetingId: meeting.meetingId,
      attendeeId: entry.attendeeId,
      region: meeting.region,
      role: entry.role,
    };
  }

  // ---------------------------------------------------------------- operator actions

  registerHandlers(): void {
    setHandler(statusQuery, () => this.status());
    setHandler(attendeeQuery, (args) => this.attendee(args));
    for (const action of OPERATOR_ACTIONS) this.registerAction(action);
  }

  private registerAction(action: OperatorAction): void {
    // Every action shares one validator and one body; the definitions only differ in their argument types.
    const update = operatorUpdates[action] as UpdateDefinition<OperatorActionResult, [unknown]>;
    const signal = operatorSignals[action] as SignalDefinition<[unknown]>;
    setHandler(
      update,
      async (args: unknown) => {
        try {
          return await this.perform(action, args);
        } catch (err) {
          if (err instanceof ApplicationFailure || isCancellation(err)) throw err;
          throw ApplicationFailure.create({
            type: 'ActionFailed',
            nonRetryable: true,
            message: errorMessage(err),
          });
        }
      },
      { validator: (args: unknown) => this.check(action, args) },
    );
    setHandler(signal, async (args: unknown) => {
      try {
        this.check(action, args);
        await this.perform(action, args);
      } catch (err) {
        if (isCancellation(err)) throw err;
        this.recordRejection(action, errorMessage(err));
      }
    });
  }

  private recordRejection(action: string, reason: string): void {
    this.rejected = [...this.rejected, { action, reason, at: new Date(Date.now()).toISOString() }].slice(
      -MAX_REJECTIONS_KEPT,
    );
  }

  private requirePhase(action: string, allowed: WebinarPhase[]): void {
    if (!allowed.includes(this.phase)) {
      throw reject(`${action} is not allowed in phase ${this.phase} (allowed: ${allowed.join(', ')})`);
    }
  }

  private requireAttendee(action: string, externalUserId: string): RosterEntry {
    const entry = this.roster.get(externalUserId);
    if (!entry || entry.state === 'removed') {
      throw reject(`${action}: externalUserId ${externalUserId} is not an attendee of this webinar`);
    }
    return entry;
  }

  private requireRegistered(action: string, externalUserId: string): RosterEntry {
    const entry = this.requireAttendee(action, externalUserId);
    if (entry.state !== 'registered' || !entry.attendeeId) {
      throw reject(`${action}: attendee ${externalUserId} is not registered (${entry.state})`);
    }
    return entry;
  }

  /** Synchronous validation shared by the Update validator and the Signal handler. */
  private check(action: OperatorAction, args: unknown): void {
    const live: WebinarPhase[] = ['PROVISIONING', 'READY', 'LIVE'];
    const open: WebinarPhase[] = ['SCHEDULED', 'PROVISIONING', 'READY', 'LIVE'];
    switch (action) {
      case 'promoteSpeaker': {
        const { externalUserId } = requireValid(action, validateSpeakerArgs(args));
        this.requirePhase(action, live);
        const entry = this.requireRegistered(action, externalUserId);
        if (!entry.speaking && entry.meeting !== 'primary') {
          const seats = this.roster.seatsTaken('primary');
          const limit = attendeesPerMeeting(this.spec.meetingFeatures);
          if (seats >= limit)
            throw reject(`${action}: the primary meeting is full (${seats} of ${limit} seats)`);
        }
        return;
      }
      case 'demoteSpeaker': {
        const { externalUserId } = requireValid(action, validateSpeakerArgs(args));
        this.requirePhase(action, live);
        this.requireRegistered(action, externalUserId);
        return;
      }
      case 'muteAllExcept': {
        const { externalUserIds } = requireValid(action, validateMuteAllExceptArgs(args));
        // Not while provisioning: batches in flight would register attendees with their old capabilities.
        this.requirePhase(action, ['READY', 'LIVE']);
        for (const id of externalUserIds) this.requireAttendee(action, id);
        return;
      }
      case 'addAttendees': {
        const { attendees } = requireValid(action, validateAddAttendeesArgs(args));
        this.requirePhase(action, open);
        for (const [i, a] of attendees.entries()) {
          const existing = this.roster.get(a.externalUserId);
          if (existing && existing.state !== 'removed') {
            throw reject(
              `${action}: attendees[${i}].externalUserId ${a.externalUserId} is already an attendee`,
            );
          }
        }
        const after = [
          ...this.roster
            .active()
            .map((e) => ({ externalUserId: e.externalUserId, role: e.role, region: e.region })),
          ...attendees,
        ];
        const fits = planCapacity(
          {
            primaryRegion: this.spec.primaryRegion,
            replicaRegions: this.spec.replicaRegions,
            attendees: after,
          },
          this.capacityOptions(),
        );
        if (!fits.ok) throw reject(`${action}: ${fits.message}`);
        return;
      }
      case 'removeAttendee': {
        const { externalUserId } = requireValid(action, validateRemoveAttendeeArgs(args));
        this.requirePhase(action, open);
        const entry = this.requireAttendee(action, externalUserId);
        if (this.phase === 'PROVISIONING' && entry.state === 'pending') {
          throw reject(`${action}: attendee ${externalUserId} is being registered; remove it once READY`);
        }
        return;
      }
      case 'reschedule': {
        const { startAt, endAt } = requireValid(action, validateRescheduleArgs(args));
        this.requirePhase(action, open);
        if (startAt !== undefined && this.phase === 'LIVE') {
          throw reject(`${action}: startAt cannot change once the webinar is LIVE`);
        }
        const start = Date.parse(startAt ?? this.startAt);
        const end = Date.parse(endAt ?? this.endAt);
        const now = Date.now();
        if (startAt !== undefined && start < now) throw reject(`${action}: startAt is in the past`);
        if (endAt !== undefined && end <= now) throw reject(`${action}: endAt is in the past`);
        if (end <= start) throw reject(`${action}: endAt must be after startAt`);
        if (end - start > 24 * 3600 * 1000)
          throw reject(`${action}: endAt must be at most 24 h after startAt`);
        return;
      }
      case 'startTranscription': {
        requireValid(action, validateTranscriptionSettings(args));
        this.requirePhase(action, open);
        if (this.phase === 'LIVE' && this.transcription === 'ON') {
          throw reject(`${action}: transcription is already ON`);
        }
        return;
      }
      case 'stopTranscription': {
        if (
          args !== undefined &&
          (typeof args !== 'object' || args === null || Object.keys(args).length > 0)
        ) {
          throw reject(`${action}: takes an empty object {}`);
        }
        this.requirePhase(action, open);
        if (this.phase === 'LIVE' && this.transcription === 'OFF') {
          throw reject(`${action}: transcription is not running`);
        }
        return;
      }
      case 'endWebinar': {
        requireValid(action, validateEndWebinarArgs(args ?? {}));
        this.requirePhase(action, open);
        return;
      }
    }
  }

  /** Runs a validated action; `args` has passed check(). */
  private async perform(action: OperatorAction, args: unknown): Promise<OperatorActionResult> {
    switch (action) {
      case 'promoteSpeaker':
        return this.withChime(action, () => this.promote(args as SpeakerArgs));
      case 'demoteSpeaker':
        return this.withChime(action, () => this.demote(args as SpeakerArgs));
      case 'muteAllExcept':
        return this.withChime(action, () => this.muteAllExcept(args as MuteAllExceptArgs));
      case 'addAttendees':
        return this.addAttendees(args as AddAttendeesArgs);
      case 'removeAttendee':
        return this.withChime(action, () => this.removeAttendee(args as RemoveAttendeeArgs));
      case 'reschedule':
        return this.reschedule(args as RescheduleArgs);
      case 'startTranscription':
        return this.startTranscription(args as StartTranscriptionArgs);
      case 'stopTranscription':
        return this.stopTranscription();
      case 'endWebinar':
        return this.endWebinar(args as EndWebinarArgs);
    }
    throw reject(`unknown action ${String(action)}`);
  }

  /** Runs a Chime-changing action under the lock, re-checking the phase once the lock is ours. */
  private withChime(action: string, fn: () => Promise<OperatorActionResult>): Promise<OperatorActionResult> {
    return this.chimeLock.run(async () => {
      this.requirePhase(action, ['PROVISIONING', 'READY', 'LIVE', 'SCHEDULED']);
      return fn();
    });
  }

  private primaryOrThrow(action: string): MeetingState {
    const primary = this.meetings.get('primary');
    if (!primary) throw reject(`${action}: the webinar has no primary meeting right now`);
    return primary;
  }

  private async promote({ externalUserId }: SpeakerArgs): Promise<OperatorActionResult> {
    const entry = this.requireRegistered('promoteSpeaker', externalUserId);
    if (entry.speaking) return { ok: true, detail: `${externalUserId} is already a speaker` };
    const primary = this.primaryOrThrow('promoteSpeaker');
    const capabilities = attendeeCapabilities('speaker', this.features());
    if (entry.meeting === 'primary') {
      await this.operator.updateAttendeeCapabilities({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        attendeeId: entry.attendeeId ?? '',
        capabilities,
      });
      entry.speaking = true;
      return {
        ok: true,
        detail: `${externalUserId} can now send audio, video and content in the primary meeting`,
      };
    }
    const created = await this.operator.createAttendee({
      controlRegion: this.spec.controlRegion,
      meetingId: primary.meetingId,
      externalUserId,
      capabilities,
    });
    entry.promotedAttendeeId = created.attendeeId;
    entry.speaking = true;
    return { ok: true, detail: `${externalUserId} has speaker credentials in the primary meeting` };
  }

  private async demote({ externalUserId }: SpeakerArgs): Promise<OperatorActionResult> {
    const entry = this.requireRegistered('demoteSpeaker', externalUserId);
    if (!entry.speaking) return { ok: true, detail: `${externalUserId} is not a speaker` };
    const primary = this.primaryOrThrow('demoteSpeaker');
    if (entry.promotedAttendeeId) {
      await this.operator.deleteAttendee({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        attendeeId: entry.promotedAttendeeId,
      });
      entry.promotedAttendeeId = undefined;
    } else {
      const meeting = entry.meeting ? this.meetings.get(entry.meeting) : undefined;
      await this.operator.updateAttendeeCapabilities({
        controlRegion: this.spec.controlRegion,
        meetingId: (meeting ?? primary).meetingId,
        attendeeId: entry.attendeeId ?? '',
        capabilities: attendeeCapabilities('viewer', this.features()),
      });
    }
    entry.speaking = false;
    return { ok: true, detail: `${externalUserId} is receive-only again` };
  }

  /**
   * Everyone but the named attendees becomes receive-only. BatchUpdateAttendeeCapabilitiesExcept needs at least
   * one excluded attendee, so a meeting where none of them sits is handled per speaker (in the primary) or left
   * alone (a replica's viewers only receive).
   */
  private async muteAllExcept({ externalUserIds }: MuteAllExceptArgs): Promise<OperatorActionResult> {
    const keep = new Set(externalUserIds);
    const receiveOnly = attendeeCapabilities('viewer', this.features());
    let calls = 0;
    for (const meeting of this.meetings.values()) {
      const excluded: string[] = [];
      for (const id of keep) {
        const entry = this.roster.get(id);
        if (!entry || entry.state === 'removed') continue;
        if (entry.meeting === meeting.key && entry.attendeeId && entry.state === 'registered') {
          excluded.push(entry.attendeeId);
        }
        if (meeting.key === 'primary' && entry.promotedAttendeeId) excluded.push(entry.promotedAttendeeId);
      }
      if (excluded.length > 0) {
        await this.operator.batchUpdateAttendeeCapabilitiesExcept({
          controlRegion: this.spec.controlRegion,
          meetingId: meeting.meetingId,
          excludedAttendeeIds: excluded,
          capabilities: receiveOnly,
        });
        calls++;
      } else if (meeting.key === 'primary') {
        for (const entry of this.roster.active()) {
          if (!entry.speaking) continue;
          const attendeeId =
            entry.meeting === 'primary' ? entry.attendeeId : (entry.promotedAttendeeId ?? undefined);
          if (!attendeeId) continue;
          await this.operator.updateAttendeeCapabilities({
            controlRegion: this.spec.controlRegion,
            meetingId: meeting.meetingId,
            attendeeId,
            capabilities: receiveOnly,
          });
          calls++;
        }
      }
    }
    for (const entry of this.roster.active()) {
      if (!keep.has(entry.externalUserId)) entry.speaking = false;
    }
    return { ok: true, detail: `muted everyone but ${keep.size} attendee(s) with ${calls} call(s)` };
  }

  private async addAttendees({ attendees }: AddAttendeesArgs): Promise<OperatorActionResult> {
    this.roster.add(attendees);
    if (this.phase === 'SCHEDULED' || this.phase === 'PROVISIONING') {
      return { ok: true, detail: `${attendees.length} attendee(s) queued for provisioning` };
    }
    await this.chimeLock.run(() => this.registerPending());
    const failures = attendees.flatMap((a) => {
      const entry = this.roster.get(a.externalUserId);
      return entry?.state === 'failed' ? [entry.error ?? 'unknown'] : [];
    });
    const failed = failures.length;
    const reasons = [...new Set(failures)].join(', ');
    return {
      ok: true,
      detail: `${attendees.length - failed} attendee(s) registered${failed ? `, ${failed} failed (${reasons})` : ''}`,
    };
  }

  private async removeAttendee({ externalUserId }: RemoveAttendeeArgs): Promise<OperatorActionResult> {
    const entry = this.requireAttendee('removeAttendee', externalUserId);
    const primary = this.meetings.get('primary');
    if (entry.promotedAttendeeId && primary) {
      await this.operator.deleteAttendee({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        attendeeId: entry.promotedAttendeeId,
      });
    }
    const meeting = entry.meeting ? this.meetings.get(entry.meeting) : undefined;
    if (entry.attendeeId && meeting) {
      await this.operator.deleteAttendee({
        controlRegion: this.spec.controlRegion,
        meetingId: meeting.meetingId,
        attendeeId: entry.attendeeId,
      });
    }
    entry.state = 'removed';
    entry.speaking = false;
    entry.attendeeId = undefined;
    entry.promotedAttendeeId = undefined;
    return { ok: true, detail: `${externalUserId} removed` };
  }

  private async reschedule({ startAt, endAt }: RescheduleArgs): Promise<OperatorActionResult> {
    if (startAt !== undefined) this.startAt = startAt;
    if (endAt !== undefined) this.endAt = endAt;
    this.publishPhase();
    this.changes++;
    return { ok: true, detail: `scheduled from ${this.startAt} to ${this.endAt}` };
  }

  private async startTranscription(settings: StartTranscriptionArgs): Promise<OperatorActionResult> {
    this.transcriptionSettings = settings;
    if (this.phase !== 'LIVE')
      return { ok: true, detail: 'transcription will start when the webinar goes live' };
    const primary = this.primaryOrThrow('startTranscription');
    await this.chimeLock.run(() =>
      this.operator.startMeetingTranscription({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
        transcriptionConfiguration: toTranscriptionConfiguration(settings),
      }),
    );
    this.transcription = 'ON';
    return { ok: true, detail: 'transcription started on the primary meeting' };
  }

  private async stopTranscription(): Promise<OperatorActionResult> {
    this.transcriptionSettings = undefined;
    if (this.phase !== 'LIVE' || this.transcription === 'OFF') {
      return { ok: true, detail: 'transcription will not start when the webinar goes live' };
    }
    const primary = this.primaryOrThrow('stopTranscription');
    await this.chimeLock.run(() =>
      this.operator.stopMeetingTranscription({
        controlRegion: this.spec.controlRegion,
        meetingId: primary.meetingId,
      }),
    );
    this.transcription = 'OFF';
    return { ok: true, detail: 'transcription stopped' };
  }

  private async endWebinar({ reason }: EndWebinarArgs): Promise<OperatorActionResult> {
    this.endReason = reason ?? 'ended by an operator';
    this.changes++;
    this.provisioning?.cancel();
    await condition(() => this.phase === 'ENDED' || this.phase === 'FAILED' || this.phase === 'CANCELLED');
    return { ok: true, detail: `webinar ${this.phase.toLowerCase()}; every meeting deleted` };
  }
}
