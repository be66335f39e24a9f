/**
 * A fault storm on the dev server: several webinars at once while the emulator spoils about half of all calls:
 * 500s and 503s (with Retry-After) before the call takes effect, and after it (the call is applied, then
 * answered 500, reset, or left unanswered until the connection closes), plus throttles and latency. Shared by
 * `npm run test:reliability` (small: fault-storm.reliability.ts) and `npm run test:chaos` (large).
 *
 * "Nothing created twice" is read from the emulator's creation totals, which count by idempotency key across
 * meetings' ends and attendees' deletions: one meeting per ClientRequestToken, one attendee per ExternalUserId
 * per meeting. Only the after-the-effect faults can break that; the storm asserts that they did fire.
 */
import { attendeeQuery, operatorUpdates, statusQuery } from '../../workflows/definitions';
import type { WebinarStatus } from '../../domain/types';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

export interface StormOptions {
  webinars: number;
  attendeesPerWebinar: number;
  lateAttendees: number;
  seed: number;
}

export interface StormReport {
  statuses: WebinarStatus[];
  calls: number;
  failed: number;
  throttled: number;
  /** Calls that took effect and whose answer was then spoilt: lost, 500, reset. */
  afterCommit: { lostResponse: number; failure: number; connectionReset: number };
  seconds: number;
}

/**
 * Half of all calls fail: 20 % 500 and 10 % 503 before the effect; 5 % lost answers (held 200 ms, then the
 * connection closes: the SDK sees "socket hang up"), 10 % 500 and 5 % connection resets after it. Every call
 * that passes the rate limiter takes the next number of the seeded sequence, so which kinds fire does not hang
 * on timing: with seed 42 (the small storm) draws 1, 9 and 13 are a 500 after commit, a reset and a lost answer;
 * with seed 7 (chaos) draws 5, 6 and 50. Both storms make far more calls than that.
 */
export const STORM_FAULTS = {
  '*': {
    serviceFailureRate: 0.2,
    serviceUnavailableRate: 0.1,
    lostResponseRate: 0.05,
    lostResponseHoldMs: 200,
    failureAfterCommitRate: 0.1,
    resetAfterCommitRate: 0.05,
    retryAfterSeconds: 1,
    latencyMs: 50,
  },
};

/**
 * Tight enough that the webinars' concurrent provisioning is throttled (two primaries and two replicas ask for
 * CreateMeeting at once against a burst of 2), loose enough that retries get through.
 */
export const STORM_RATE_LIMITS = {
  enabled: true,
  perOperation: { ratePerSecond: 5, burst: 2 },
  account: { ratePerSecond: 15, burst: 6 },
};

export async function withStormStack<T>(seed: number, fn: (stack: WebinarStack) => Promise<T>): Promise<T> {
  const stack = await startWebinarStack({
    server: 'dev',
    emulator: {
      rateLimits: STORM_RATE_LIMITS,
      faults: { seed, operations: STORM_FAULTS },
    },
  });
  try {
    return await fn(stack);
  } finally {
    await stack.shutdown();
  }
}

/** Runs the storm; asserts every invariant, returns numbers for the report. */
export async function runStorm(stack: WebinarStack, options: StormOptions): Promise<StormReport> {
  const started = Date.now();
  const now = Date.now();
  const specs = Array.from({ length: options.webinars }, (_, w) =>
    webinarSpec(now, {
      webinarId: `storm-${options.seed}-${w}-${Math.random().toString(36).slice(2, 6)}`,
      startAt: new Date(now + 6_000).toISOString(),
      endAt: new Date(now + 3600_000).toISOString(),
      provisionLeadSeconds: 5,
      replicaRegions: ['eu-west-1'],
      attendees: [
        { externalUserId: 'host-1', role: 'host' as const },
        ...Array.from({ length: options.attendeesPerWebinar - 1 }, (_, i) => ({
          externalUserId: `v-${i}`,
          role: 'viewer' as const,
          region: i % 2 ? 'eu-west-1' : undefined,
        })),
      ],
    }),
  );
  const handles = await Promise.all(specs.map((s) => stack.start(s)));
  const statuses = await Promise.all(
    handles.map((h) => waitForStatus(h, (s) => s.phase === 'LIVE', 240_000)),
  );
  // Operator actions under the storm: promote a replica viewer, add late attendees.
  await Promise.all(
    handles.map(async (h, w) => {
      // A viewer seated in a replica: promoting it creates a second attendee in the primary.
      const primary = statuses[w]?.primary?.meetingId;
      let replicaViewer = '';
      for (let i = options.attendeesPerWebinar - 2; i >= 0 && !replicaViewer; i--) {
        const at = await h.query(attendeeQuery, { externalUserId: `v-${i}` });
        if (at.meetingId !== primary) replicaViewer = `v-${i}`;
      }
      expect(replicaViewer).not.toBe('');
      await h.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
      await h.executeUpdate(operatorUpdates.addAttendees, {
        args: [
          {
            attendees: Array.from({ length: options.lateAttendees }, (_, i) => ({
              externalUserId: `late-${w}-${i}`,
              role: 'viewer' as const,
            })),
          },
        ],
      });
    }),
  );
  const before = await Promise.all(handles.map((h) => h.query(statusQuery)));
  const meetingsNeeded = before.reduce((n, s) => n + 1 + s.replicas.length, 0);
  expect(stack.liveMeetings()).toBe(meetingsNeeded);
  await Promise.all(handles.map((h) => h.executeUpdate(operatorUpdates.endWebinar, { args: [{}] })));
  const outcomes = await Promise.all(handles.map((h) => h.result()));

  const state = stack.emulator.state();
  for (const [w, s] of before.entries()) {
    expect(s.generation).toBe(1);
    expect(s.attendees).toEqual({
      requested: options.attendeesPerWebinar + options.lateAttendees,
      registered: options.attendeesPerWebinar + options.lateAttendees,
      failed: 0,
    });
    expect(s.speakers.length).toBe(2);
    expect(outcomes[w]).toMatchObject({ phase: 'ENDED' });
  }
  // No duplicate meeting, no duplicate attendee (the promoted viewer adds one attendee in the primary).
  const attendeesNeeded = options.webinars * (options.attendeesPerWebinar + options.lateAttendees + 1);
  expect(state.totals.meetingsCreated).toBe(meetingsNeeded);
  expect(state.totals.attendeesCreated).toBe(attendeesNeeded);
  // By idempotency key: every ClientRequestToken made exactly one meeting, every ExternalUserId exactly one
  // attendee in each meeting it was placed in, even where a retry followed an applied call.
  expect(state.creations).toEqual({
    meetings: { created: meetingsNeeded, tokens: meetingsNeeded, duplicates: [] },
    attendees: { created: attendeesNeeded, externalUserIds: attendeesNeeded, duplicates: [] },
  });
  expect(state.meetings).toHaveLength(0);
  // The storm really raged: faults before and after the effect, and throttles.
  // Half the nominal fault rate (about 45 % of the calls' draws): the draw order follows the calls' order, so the
  // share moves from run to run; the exact counts that matter are the after-the-effect kinds below.
  expect(state.totals.failed).toBeGreaterThan(state.totals.calls * 0.1);
  expect(state.faults.afterCommit.lostResponse).toBeGreaterThan(0);
  expect(state.faults.afterCommit.failure).toBeGreaterThan(0);
  expect(state.faults.afterCommit.connectionReset).toBeGreaterThan(0);
  expect(state.totals.throttled).toBeGreaterThan(0);
  expect(statuses).toHaveLength(options.webinars);
  return {
    statuses: before,
    calls: state.totals.calls,
    failed: state.totals.failed,
    throttled: state.totals.throttled,
    afterCommit: state.faults.afterCommit,
    seconds: (Date.now() - started) / 1000,
  };
}
