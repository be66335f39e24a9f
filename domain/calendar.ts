/**
 * The capacity calendar's arithmetic (docs/capacity-calendar.md): how many Chime calls a webinar needs before
 * its start, how many the other webinars of its control Region have committed to the same window, whether
 * they fit the Region's budget, and how early provisioning may start. Pure and deterministic: the workflow
 * may call it (the search-attribute values, the adaptive lead); the client reads the committed calls from
 * visibility (client/library/calendar.ts).
 */
import { floorMeetings, planSeats, seatOptions } from './seats';
import { budgetFor, DEFAULT_BUDGET, DEFAULT_CONTROL_REGION_KEY, type Budget } from './budget';
import { formatCount } from './format';
import { BATCH_SIZE, MAX_PROVISION_LEAD_SECONDS, MEETING_CHECK_INTERVAL_SECONDS } from './limits';
import { attendeesPerMeeting } from './validation/meeting-features';
import type { NormalizedWebinarSpec } from './validation/spec';

/** The calls one webinar makes, by purpose. */
export interface CallPlan {
  meetings: number;
  /** Before the start: CreateMeeting of the primary plus the presenters' BatchCreateAttendee calls. */
  criticalCalls: number;
  /** Before the start: replicas' CreateMeeting, every other BatchCreateAttendee, StartMeetingTranscription. */
  otherCalls: number;
  /** Before the start: one GetMeeting per meeting per MEETING_CHECK_INTERVAL_SECONDS of the lead. */
  checkCalls: number;
  /** criticalCalls + otherCalls + checkCalls: what the webinar commits to its provisioning window. */
  provisioningCalls: number;
  /** At the end: DeleteMeeting calls (1: deleting the primary deletes its replicas). */
  teardownCalls: number;
}

/**
 * The calls a valid webinar needs, from its seat plan (the workflow's: planSeats with its seat options) and
 * batches of BATCH_SIZE per meeting, counted as the workflow makes them: the presenters' last batch topped up
 * with primary viewers, and a teardown of one DeleteMeeting (the primary's; its replicas go with it).
 */
export function planCalls(spec: NormalizedWebinarSpec): CallPlan {
  const perMeeting = attendeesPerMeeting(spec.meetingFeatures);
  const planned = planSeats(
    { primaryRegion: spec.primaryRegion, replicaRegions: spec.replicaRegions, attendees: spec.attendees },
    seatOptions(spec),
  );
  // A valid spec always has a plan; the floor keeps the figure meaningful if that ever changes.
  const meetings = planned.ok
    ? 1 + planned.plan.replicas.length
    : floorMeetings(spec.attendees.length, perMeeting);
  const batches = (n: number): number => Math.ceil(n / BATCH_SIZE);
  const presenters = spec.attendees.filter((a) => a.role !== 'viewer').length;
  const primaryViewers = planned.ok ? planned.plan.primary.attendees.length - presenters : 0;
  const replicaBatches = planned.ok
    ? planned.plan.replicas.reduce((sum, replica) => sum + batches(replica.attendees.length), 0)
    : batches(spec.attendees.length);
  // Presenters register first (the workflow's presenters' step), their last batch topped up with primary
  // viewers; the primary's other viewers after.
  const presenterBatches = batches(presenters);
  const primaryViewerBatches = batches(presenters + primaryViewers) - presenterBatches;
  const criticalCalls = 1 + presenterBatches;
  const otherCalls = meetings - 1 + primaryViewerBatches + replicaBatches + (spec.transcription ? 1 : 0);
  const checkCalls = meetings * Math.floor(spec.provisionLeadSeconds / MEETING_CHECK_INTERVAL_SECONDS);
  return {
    meetings,
    criticalCalls,
    otherCalls,
    checkCalls,
    provisioningCalls: criticalCalls + otherCalls + checkCalls,
    teardownCalls: 1,
  };
}

/** The key webinars of one control Region share: the Region named in the input, else the worker's default. */
export function controlRegionKey(spec: { controlRegion?: string }): string {
  return spec.controlRegion ?? DEFAULT_CONTROL_REGION_KEY;
}

/** What another webinar of the same control Region commits, as read from visibility. */
export interface CommittedWebinar {
  webinarId: string;
  /** Epoch ms. */
  provisionAt: number;
  startAt: number;
  endAt: number;
  provisioningCalls: number;
  teardownCalls: number;
}

/** A window [from, to] (epoch ms): a webinar's provisioning lead. */
export interface CallWindow {
  from: number;
  to: number;
}

export function provisioningWindow(spec: { startAt: string; provisionLeadSeconds: number }): CallWindow {
  const to = Date.parse(spec.startAt);
  return { from: to - spec.provisionLeadSeconds * 1000, to };
}

/**
 * Calls another webinar commits to `window`: its provisioning calls prorated by how much of its own
 * provisioning window overlaps (spread evenly over it), plus its teardown calls if it ends inside.
 */
export function committedIn(window: CallWindow, other: CommittedWebinar): number {
  const overlap = Math.min(window.to, other.startAt) - Math.max(window.from, other.provisionAt);
  const length = other.startAt - other.provisionAt;
  let calls = 0;
  if (overlap >= 0 && length > 0) calls += Math.ceil((other.provisioningCalls * overlap) / length);
  else if (overlap >= 0) calls += other.provisioningCalls;
  if (other.endAt >= window.from && other.endAt <= window.to) calls += other.teardownCalls;
  return calls;
}

export interface WindowAnswer {
  controlRegion: string;
  window: CallWindow;
  /** Calls the Region admits in the window: burst + rate × lead. */
  budget: number;
  /** This webinar's calls before its start. */
  needed: number;
  /** Calls other webinars committed to the window, and by whom (largest first). */
  committed: number;
  committedBy: { webinarId: string; calls: number }[];
  fits: boolean;
  /** needed + committed − budget, when positive. */
  overBy: number;
  /**
   * Webinars whose viewers would register after their start if the window is over-committed: presenters go
   * first and earlier starts first, so the overflow falls on the viewers of the latest starts (equal starts
   * share it).
   */
  lateViewers: string[];
  /** Seconds after the window opens when this webinar's calls are expected done, at the Region's rate. */
  expectedReadySeconds: number;
  /** expectedReadySeconds minus the lead: negative = READY before the start. */
  expectedReadyVsStartSeconds: number;
  /** Set when the adaptive lead widened the window: the lead the webinar asked for. */
  adaptedFromLeadSeconds?: number;
}

/** Whether `needed` calls for `webinarId` fit in `window` beside the committed webinars. */
export function assessWindow(
  candidate: { webinarId: string; controlRegion: string; window: CallWindow; calls: CallPlan },
  others: CommittedWebinar[],
  budget: Budget = DEFAULT_BUDGET,
): WindowAnswer {
  const { window } = candidate;
  const leadSeconds = (window.to - window.from) / 1000;
  const admitted = budgetFor(leadSeconds, budget);
  const committedBy = others
    .filter((other) => other.webinarId !== candidate.webinarId)
    .map((other) => ({ other, calls: committedIn(window, other) }))
    .filter((entry) => entry.calls > 0);
  const committed = committedBy.reduce((sum, entry) => sum + entry.calls, 0);
  const needed = candidate.calls.provisioningCalls;
  const overBy = Math.max(0, needed + committed - admitted);

  const lateViewers: string[] = [];
  if (overBy > 0) {
    // Latest starts lose first; a group of equal starts shares the overflow, so all of it is named.
    const starts = [
      { webinarId: candidate.webinarId, startAt: window.to, viewerCalls: candidate.calls.otherCalls },
      ...committedBy.map(({ other, calls }) => ({
        webinarId: other.webinarId,
        startAt: other.startAt,
        viewerCalls: calls,
      })),
    ].sort((a, b) => b.startAt - a.startAt || (a.webinarId < b.webinarId ? -1 : 1));
    let covered = 0;
    for (let i = 0; i < starts.length && covered < overBy;) {
      const groupStart = starts[i]?.startAt;
      for (; i < starts.length && starts[i]?.startAt === groupStart; i++) {
        const entry = starts[i];
        if (!entry) continue;
        lateViewers.push(entry.webinarId);
        covered += entry.viewerCalls;
      }
    }
  }
  const total = needed + committed;
  const expectedReadySeconds = Math.max(0, total - budget.burst) / budget.callsPerSecond;
  return {
    controlRegion: candidate.controlRegion,
    window,
    budget: admitted,
    needed,
    committed,
    committedBy: committedBy
      .map(({ other, calls }) => ({ webinarId: other.webinarId, calls }))
      .sort((a, b) => b.calls - a.calls || (a.webinarId < b.webinarId ? -1 : 1)),
    fits: overBy === 0,
    overBy,
    lateViewers,
    expectedReadySeconds,
    expectedReadyVsStartSeconds: expectedReadySeconds - leadSeconds,
  };
}

/** What schedule() does with an over-committed window (default 'warn'). */
export type CalendarPolicy = 'warn' | 'refuse' | 'least-committed';
export const CALENDAR_POLICIES: readonly CalendarPolicy[] = ['warn', 'refuse', 'least-committed'];

export type CalendarDecision =
  | { action: 'schedule'; controlRegion: string; answer: WindowAnswer; warning?: string }
  | { action: 'refuse'; answer: WindowAnswer; reason: string };

/** One line for people: the figures of an answer. */
export function describeAnswer(answer: WindowAnswer): string {
  const lead = Math.round((answer.window.to - answer.window.from) / 1000);
  const head =
    `control Region ${answer.controlRegion}, window ${new Date(answer.window.from).toISOString()} to ` +
    `${new Date(answer.window.to).toISOString()} (${lead} s${
      answer.adaptedFromLeadSeconds === undefined
        ? ''
        : `, lead widened from ${answer.adaptedFromLeadSeconds} s`
    }): needs ${formatCount(answer.needed)} calls, ` +
    `${formatCount(answer.committed)} committed by ${answer.committedBy.length} other webinars, ` +
    `budget ${formatCount(answer.budget)}`;
  if (answer.fits) return `${head}: fits`;
  return (
    `${head}: over-committed by ${formatCount(answer.overBy)} calls; the viewers of ` +
    `${answer.lateViewers.join(', ')} would register after their start`
  );
}

/** Expected readiness for people: "READY about 42 s before the start" or "... after the start". */
export function describeReadiness(answer: WindowAnswer): string {
  const seconds = Math.round(Math.abs(answer.expectedReadyVsStartSeconds));
  return answer.expectedReadyVsStartSeconds <= 0
    ? `expected READY about ${seconds} s before the start`
    : `expected READY about ${seconds} s after the start`;
}

/**
 * The policy's decision given the answer for each candidate control Region (the first is the webinar's own):
 * fits → schedule; over-committed → warn and schedule, refuse, or move to the least-committed candidate
 * (smallest overBy, then most headroom; the webinar's own Region on a tie).
 */
export function decide(policy: CalendarPolicy, answers: WindowAnswer[]): CalendarDecision {
  const own = answers[0];
  if (!own) throw new Error('decide needs the answer for the webinar’s own control Region');
  if (own.fits) return { action: 'schedule', controlRegion: own.controlRegion, answer: own };
  const summary = describeAnswer(own);
  switch (policy) {
    case 'warn':
      return { action: 'schedule', controlRegion: own.controlRegion, answer: own, warning: summary };
    case 'refuse':
      return { action: 'refuse', answer: own, reason: summary };
    case 'least-committed': {
      const best = answers.reduce((a, b) => {
        const headroomA = a.budget - a.needed - a.committed;
        const headroomB = b.budget - b.needed - b.committed;
        return b.overBy < a.overBy || (b.overBy === a.overBy && headroomB > headroomA) ? b : a;
      }, own);
      const warning =
        best === own
          ? `${summary}; no configured control Region is less committed`
          : best.fits
            ? undefined
            : `moved to the least-committed control Region: ${describeAnswer(best)}`;
      return warning === undefined
        ? { action: 'schedule', controlRegion: best.controlRegion, answer: best }
        : { action: 'schedule', controlRegion: best.controlRegion, answer: best, warning };
    }
  }
}

/**
 * The adaptive lead: the shortest lead, at least `leadSeconds` and at most
 * MAX_PROVISION_LEAD_SECONDS (an idle primary auto-ends after 5 minutes), whose window admits
 * `committedCalls + neededCalls`. `fits` says whether even the longest lead does.
 */
export function adaptiveLeadSeconds(args: {
  leadSeconds: number;
  neededCalls: number;
  committedCalls: number;
  budget?: Budget;
  maxLeadSeconds?: number;
}): { leadSeconds: number; fits: boolean } {
  const budget = args.budget ?? DEFAULT_BUDGET;
  const max = Math.min(args.maxLeadSeconds ?? MAX_PROVISION_LEAD_SECONDS, MAX_PROVISION_LEAD_SECONDS);
  const total = args.neededCalls + args.committedCalls;
  const wanted = Math.ceil(Math.max(0, total - budget.burst) / budget.callsPerSecond);
  const leadSeconds = Math.min(max, Math.max(args.leadSeconds, wanted));
  return { leadSeconds, fits: budgetFor(leadSeconds, budget) >= total };
}
