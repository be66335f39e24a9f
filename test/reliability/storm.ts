/**
 * A fault storm on the dev server: several webinars at once while the emulator answers a large share of calls
 * with 500s, 503s with Retry-After and throttles, plus latency. Shared by the default suite (small) and
 * `npm run test:chaos` (large).
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
  seconds: number;
}

export const STORM_FAULTS = {
  '*': { serviceFailureRate: 0.3, serviceUnavailableRate: 0.2, retryAfterSeconds: 1, latencyMs: 50 },
};

export async function withStormStack<T>(seed: number, fn: (stack: WebinarStack) => Promise<T>): Promise<T> {
  const stack = await startWebinarStack({
    server: 'dev',
    emulator: {
      rateLimits: {
        enabled: true,
        perOperation: { ratePerSecond: 10, burst: 10 },
        account: { ratePerSecond: 25, burst: 25 },
      },
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
  expect(state.totals.meetingsCreated).toBe(meetingsNeeded);
  expect(state.totals.attendeesCreated).toBe(
    options.webinars * (options.attendeesPerWebinar + options.lateAttendees + 1),
  );
  expect(state.meetings).toHaveLength(0);
  // The storm really raged.
  expect(state.totals.failed).toBeGreaterThan(state.totals.calls * 0.2);
  expect(statuses).toHaveLength(options.webinars);
  return {
    statuses: before,
    calls: state.totals.calls,
    failed: state.totals.failed,
    throttled: state.totals.throttled,
    seconds: (Date.now() - started) / 1000,
  };
}
