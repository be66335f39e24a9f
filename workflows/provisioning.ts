/**
 * Provisioning one generation of meetings: the seat plan, the primary then its replicas, and the attendees'
 * registration in batches. Late attendees are placed (opening a replica when needed) by the same code.
 * Not under chimeLock (see the lock policy in context.ts).
 *
 * The critical path first: the primary, then its presenters (hosts and speakers) as a step of their own,
 * both at the `critical` call priority, while the replicas are created at `bulk` priority beside them, a few at
 * a time, each meeting's viewers registering as soon as it exists. `status.presentersReady` reports the end of the
 * presenters' step: the webinar can start.
 */
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { attendeeCapabilities } from '../domain/capabilities';
import { externalMeetingIdOf } from '../domain/external-meeting-id';
import {
  type MeetingLoad,
  placeLateAttendee,
  planSeats,
  seatOptions,
  type PlannedMeeting,
} from '../domain/seats';
import { meetingRequestToken, type ChimeActivities, type MeetingInfo } from '../domain/chime';
import { isTransientAttendeeError } from '../domain/errors';
import { BATCH_SIZE } from '../domain/limits';
import { mapBounded } from './concurrency';
import type { Webinar } from './context';
import { errorMessage, recordError } from './last-error';
import type { MeetingKey, RosterEntry } from './roster';
import { meetingOf, putMeeting, type MeetingState } from './state';
import { publishProgress, publishStatus } from './status-memo';

/** Batches of BatchCreateAttendee in flight at once; the task-queue rate limit does the real pacing. */
export const MAX_BATCHES_IN_FLIGHT = 16;
/** Rounds of re-registration for attendees whose per-attendee error is transient. */
export const REGISTRATION_ROUNDS = 3;
/**
 * Replicas a webinar creates or fills at once: its meetings fill before more open, since 4 calls seat 250
 * viewers and a backlog spent on creating meetings first seats nobody. Enough to keep the budget busy when one webinar is left (a
 * cycle of 1 CreateMeeting and 3 batches takes about 0.5 s, so 4 cycles offer ~30 calls/s against 10), few
 * enough that a backlog's calls go to seating viewers rather than to opening empty meetings.
 */
export const MEETINGS_FILLING = 4;

/** The AWS error name of a failed activity (its ApplicationFailure type), if there is one. */
export function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? undefined;
  if (err instanceof ApplicationFailure) return err.type ?? undefined;
  return undefined;
}

/** Ending the webinar stops a generation being provisioned, so the teardown starts at once. */
export function cancelProvisioning(w: Webinar): void {
  w.local.provisioning?.cancel();
}

/**
 * Provisions a generation in a scope an operator's end can cancel. Returns 'cancelled' when it did (the
 * caller tears down); any other failure, or the workflow's own cancellation, is thrown.
 */
export async function provisionGeneration(w: Webinar): Promise<'done' | 'cancelled'> {
  w.local.provisioning = new CancellationScope();
  try {
    await w.local.provisioning.run(() => provision(w));
    // The meetings were just created: the first check of them is due one interval from now.
    w.state.meetingsCheckedAt = Date.now();
    return 'done';
  } catch (err) {
    if (
      isCancellation(err) &&
      w.state.endReason !== undefined &&
      !CancellationScope.current().consideredCancelled
    )
      return 'cancelled';
    throw err;
  } finally {
    w.local.provisioning = undefined;
  }
}

/**
 * The seat plan of the roster as it is, computed once per membership (Roster.membership). Planning 10,000
 * attendees takes 0.1–0.2 s of the worker's one workflow thread; planning while SCHEDULED keeps that work off
 * the instant when every webinar of the hour starts provisioning. Pure: no command, nothing to replay.
 */
export function seatPlan(w: Webinar): ReturnType<typeof planSeats> {
  const membership = w.roster.membership();
  if (w.local.plannedAhead?.membership !== membership) {
    const planned = planSeats(
      {
        primaryRegion: w.spec.primaryRegion,
        replicaRegions: w.spec.replicaRegions,
        attendees: w.roster.active(),
      },
      seatOptions(w.spec),
    );
    w.local.plannedAhead = { membership, planned };
  }
  return w.local.plannedAhead.planned;
}

async function provision(w: Webinar): Promise<void> {
  const planned = seatPlan(w);
  w.local.plannedAhead = undefined;
  if (!planned.ok) {
    throw ApplicationFailure.create({
      type: 'CapacityExceeded',
      nonRetryable: true,
      message: planned.message,
    });
  }
  const { plan } = planned;
  for (const meeting of [plan.primary, ...plan.replicas]) {
    for (const a of meeting.attendees) w.roster.placed(a.externalUserId, meeting.key);
  }
  const primary = await createMeeting(w, 'primary', plan.primary.region, undefined, w.chime.critical);
  // The presenters register in batches of their own before any viewer; each meeting's viewers as soon as it exists.
  const presentersThenViewers = async (): Promise<void> => {
    await registerPresenters(w, primary);
    await registerMeeting(w, primary);
  };
  const replicasFilled = async (): Promise<void> => {
    // Every replica is tried and every call ends before the first failure is thrown (mapBounded).
    await mapBounded(plan.replicas, MEETINGS_FILLING, async (r: PlannedMeeting) => {
      const replica = await createMeeting(w, r.key, r.region, primary.meetingId);
      await registerMeeting(w, replica);
    });
  };
  // Both steps run to their end before a failure is thrown, so the teardown never races a call in flight.
  const steps = await Promise.allSettled([replicasFilled(), presentersThenViewers()]);
  for (const step of steps) if (step.status === 'rejected') throw step.reason;
  // Retries of transient per-attendee errors, and attendees added meanwhile.
  await registerPending(w);
}

/** One round for a meeting's pending attendees, as soon as it exists; registerPending retries what is left. */
async function registerMeeting(w: Webinar, meeting: MeetingState): Promise<void> {
  const pending = w.roster.inMeeting(meeting.key).filter((e) => e.state === 'pending');
  await mapBounded(batchesOf(pending), MAX_BATCHES_IN_FLIGHT, (entries) =>
    registerBatch(w, meeting, entries, false),
  );
  publishStatus(w);
}

/** The primary's pending hosts and speakers, in batches of their own at the critical priority. */
async function registerPresenters(w: Webinar, primary: MeetingState): Promise<void> {
  for (let round = 1; round <= REGISTRATION_ROUNDS; round++) {
    const inPrimary = w.roster.inMeeting(primary.key).filter((e) => e.state === 'pending');
    const pending = inPrimary.filter((e) => e.role !== 'viewer');
    if (pending.length === 0) return;
    const batches = batchesOf(pending);
    const last = batches[batches.length - 1];
    if (round === 1 && last) {
      // A call costs one slot of the budget whatever it holds: the presenters' last batch takes primary viewers
      // up to BATCH_SIZE, so the presenters' step costs no call more than registering the primary at once.
      last.push(...inPrimary.filter((e) => e.role === 'viewer').slice(0, BATCH_SIZE - last.length));
    }
    const lastRound = round === REGISTRATION_ROUNDS;
    await mapBounded(batches, MAX_BATCHES_IN_FLIGHT, (entries) =>
      registerBatch(w, primary, entries, lastRound, w.chime.critical),
    );
    publishStatus(w);
  }
}

function batchesOf<T>(items: T[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  return batches;
}

/**
 * Creates one meeting with its stable ClientRequestToken. The call itself cannot be cancelled, so a meeting the
 * service created is always recorded, and teardown always knows about it.
 */
async function createMeeting(
  w: Webinar,
  key: MeetingKey,
  region: string,
  primaryMeetingId?: string,
  calls: ChimeActivities = w.chime.bulk,
): Promise<MeetingState> {
  const info: MeetingInfo = await CancellationScope.nonCancellable(() =>
    calls.createMeeting({
      controlRegion: w.spec.controlRegion,
      clientRequestToken: meetingRequestToken(w.spec.webinarId, key, w.state.generation),
      externalMeetingId: externalMeetingIdOf(w.spec.webinarId),
      mediaRegion: region,
      primaryMeetingId,
      meetingFeatures: w.spec.meetingFeatures,
      tags: w.spec.tags.length > 0 ? w.spec.tags : undefined,
      tenantIds: w.spec.tenantIds,
    }),
  );
  const meeting: MeetingState = { key, meetingId: info.meetingId, region, meetingArn: info.meetingArn };
  putMeeting(w.state, meeting);
  return meeting;
}

/** Places unplaced attendees, opening replicas when needed, then registers everyone pending in batches. */
export async function registerPending(w: Webinar): Promise<void> {
  // Attendees queued while the promotions were restored (late additions during a provisioning) get their turn.
  do {
    await registerRounds(w);
    await restorePromotions(w);
  } while (w.primary() && w.roster.active().some((e) => waitsForRegistration(w, e)));
}

/** Pending, and either unplaced or placed in a meeting of this generation: the next round can register it. */
function waitsForRegistration(w: Webinar, e: Readonly<RosterEntry>): boolean {
  return e.state === 'pending' && (e.meeting === undefined || meetingOf(w.state, e.meeting) !== undefined);
}

async function registerRounds(w: Webinar): Promise<void> {
  // Each round also seats attendees added while the previous round ran; attendees whose errors are
  // transient get REGISTRATION_ROUNDS tries, late additions at least one.
  for (let round = 1; ; round++) {
    await placeUnplaced(w);
    const batches: { meeting: MeetingState; entries: Readonly<RosterEntry>[] }[] = [];
    for (const meeting of w.state.meetings) {
      const pending = w.roster.inMeeting(meeting.key).filter((e) => e.state === 'pending');
      for (const entries of batchesOf(pending)) batches.push({ meeting, entries });
    }
    if (batches.length === 0) break;
    const lastRound = round >= REGISTRATION_ROUNDS;
    await mapBounded(batches, MAX_BATCHES_IN_FLIGHT, (b) =>
      registerBatch(w, b.meeting, b.entries, lastRound),
    );
    publishStatus(w);
  }
}

async function registerBatch(
  w: Webinar,
  meeting: MeetingState,
  entries: Readonly<RosterEntry>[],
  lastRound: boolean,
  calls: ChimeActivities = w.chime.bulk,
): Promise<void> {
  try {
    const result = await calls.batchCreateAttendee({
      controlRegion: w.spec.controlRegion,
      meetingId: meeting.meetingId,
      attendees: entries.map((e) => ({
        externalUserId: e.externalUserId,
        capabilities: attendeeCapabilities(e.speaking ? 'speaker' : 'viewer', w.spec.meetingFeatures),
      })),
    });
    for (const a of result.attendees) w.roster.registered(a.externalUserId, a.attendeeId);
    for (const error of result.errors) {
      if (w.roster.get(error.externalUserId)?.state !== 'pending') continue;
      if (lastRound || !isTransientAttendeeError(error.errorCode)) {
        w.roster.failed(error.externalUserId, error.errorCode);
      }
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The whole batch was refused for good (the meeting is gone, a quota, bad input): record it per attendee.
    const code = failureType(err) ?? 'BatchFailed';
    for (const e of entries) {
      if (e.state === 'pending') w.roster.failed(e.externalUserId, code);
    }
    recordError(w.state, `registration in ${meeting.key} failed: ${errorMessage(err)}`);
  }
  publishProgress(w);
}

/** Late attendees and attendees of a new generation get a seat: an existing meeting or a new replica. */
async function placeUnplaced(w: Webinar): Promise<void> {
  const primary = w.primary();
  if (!primary) return;
  const unplaced = w.roster.active().filter((e) => e.meeting === undefined && e.state === 'pending');
  if (unplaced.length === 0) return;
  // Loads are counted once and kept up to date here: recounting per attendee is quadratic in the roster.
  const promoted = w.roster.active().filter((e) => e.promotedAttendeeId).length;
  const loads: MeetingLoad[] = w.state.meetings.map((m) => ({
    key: m.key,
    region: m.region,
    attendees: w.roster.seatsTaken(m.key),
    ...(m.key === 'primary' ? { promoted } : {}),
  }));
  let replicaRefused: { code: string; message: string } | undefined;
  for (const entry of unplaced) {
    const id = entry.externalUserId;
    const placement = placeLateAttendee(
      loads,
      { externalUserId: id, role: entry.role, region: entry.region },
      { primaryRegion: w.spec.primaryRegion, replicaRegions: w.spec.replicaRegions },
      seatOptions(w.spec),
    );
    let seat: MeetingKey;
    if ('meeting' in placement) {
      seat = placement.meeting;
    } else if ('newReplica' in placement) {
      const { key, region } = placement.newReplica;
      if (replicaRefused) {
        // The service already refused a replica in this pass: do not ask again for every attendee.
        w.roster.failed(id, replicaRefused.code);
        continue;
      }
      try {
        await createMeeting(w, key, region, primary.meetingId);
      } catch (err) {
        if (isCancellation(err)) throw err;
        replicaRefused = { code: failureType(err) ?? 'CreateMeetingFailed', message: errorMessage(err) };
        recordError(w.state, `opening ${key} for late attendees failed: ${replicaRefused.message}`);
        w.roster.failed(id, replicaRefused.code);
        continue;
      }
      loads.push({ key, region, attendees: 0 });
      seat = key;
    } else {
      w.roster.failed(id, 'NoCapacity');
      recordError(w.state, placement.full);
      continue;
    }
    w.roster.placed(id, seat);
    const load = loads.find((l) => l.key === seat);
    if (load) load.attendees++;
  }
}

/** After a new generation, promoted replica viewers get their primary credentials back. */
async function restorePromotions(w: Webinar): Promise<void> {
  const primary = meetingOf(w.state, 'primary');
  if (!primary) return;
  for (const entry of w.roster.active()) {
    if (
      !entry.speaking ||
      entry.meeting === 'primary' ||
      entry.promotedAttendeeId ||
      entry.state !== 'registered'
    ) {
      continue;
    }
    const created = await w.chime.critical.createAttendee({
      controlRegion: w.spec.controlRegion,
      meetingId: primary.meetingId,
      externalUserId: entry.externalUserId,
      capabilities: attendeeCapabilities('speaker', w.spec.meetingFeatures),
    });
    w.roster.promoted(entry.externalUserId, created.attendeeId);
  }
}
