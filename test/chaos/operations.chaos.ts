/**
 * Operations chaos (npm run test:chaos): webinars with dashboards polling `status` and `attendee` every
 * 300 ms and operators sending Updates and Signals, while the worker that holds a webinar is SIGKILLed around
 * its timers and both workers are replaced one at a time by a rolling restart, and two stale-run windows make
 * the situation the stale-run guard handles happen on purpose (without the guard this test fails: queries
 * answered from an advanced run, nondeterminism, a stuck webinar). The CI seeds; many more run by hand with
 * `npm run chaos:trials` (scripts/chaos-trials.ts, figures in docs/reliability.md).
 */
import {
  FAILED_HISTORIES_DIR,
  WEBINAR_CLOSED,
  describeTrial,
  runOperationsTrial,
  startChaosStack,
  type RunningChaosStack,
  type TrialResult,
} from './operations-trial';

jest.setTimeout(420_000);

let stack: RunningChaosStack;
const reports: string[] = [];

beforeAll(async () => {
  stack = await startChaosStack();
});
afterAll(async () => {
  await stack?.close();
  process.stdout.write(`operations chaos:\n${reports.join('\n')}\n`);
});

describe('kills and a rolling restart while clients query and operators act', () => {
  it.each([[3]])(
    'seed %d: every webinar ends, nothing is duplicated or leaked, every history replays',
    async (seed) => {
      const r: TrialResult = await runOperationsTrial(stack, {
        seed,
        kills: 4,
        rollingRestart: true,
        failedHistoriesDir: FAILED_HISTORIES_DIR,
        log: (line) => process.stderr.write(`[ops chaos] ${line}\n`),
      });
      reports.push(describeTrial(r));
      // The chaos happened: every kill hit a running worker, both workers were replaced, dashboards and operators
      // were served.
      expect(r.killsLanded).toBe(4);
      expect(r.restarts).toHaveLength(2);
      expect(r.queries.ok).toBeGreaterThan(100);
      expect(r.operator.ok).toBeGreaterThan(0);
      // An operator action fails only when its webinar ended while it was in flight (a rejection is the workflow's
      // answer to the scenario's own timing, e.g. an endAt moved too close).
      expect(r.operator.failures.filter((f) => !WEBINAR_CLOSED.test(f))).toEqual([]);
      expect(r.notEnded).toEqual([]);
      expect(r.completed).toBe(r.webinars);
      expect(r.nondeterminism).toEqual([]);
      expect(r.nondeterminismReported).toEqual([]);
      expect(r.duplicates).toEqual([]);
      expect(r.unregistered).toEqual([]);
      expect(r.leakedMeetings).toBe(0);
      // The stale-run windows happened as planned, and no query was answered from a run it had advanced.
      expect(r.staleWindowsLanded).toBe(r.staleWindowsPlanned);
      expect(r.staleAnswers).toEqual([]);
      // Every failed query was refused by the guard (which the windows make it do) or never reached a live worker.
      expect(r.queries.refused).toBeGreaterThan(0);
      expect(r.queries.otherErrors).toEqual([]);
      expect(r.queries.failed).toBe(r.queries.refused + r.queries.unanswered);
      // Every run is replayed: the histories collected are the runs visibility lists, each one replayed.
      expect(r.histories).toBe(r.runsListed);
      expect(r.replayed).toBe(r.histories);
      expect(r.replayFailures).toEqual([]);
    },
  );
});
