/**
 * Operations chaos (npm run test:chaos): webinars with dashboards polling `status` and `attendee` every
 * 300 ms and operators sending Updates and Signals, while the worker that holds a webinar is SIGKILLed around
 * its timers and both workers are replaced one at a time by a rolling restart. The CI seeds; many more run by
 * hand with `npm run chaos:trials` (scripts/chaos-trials.ts, figures in docs/reliability.md).
 */
import {
  FAILED_HISTORIES_DIR,
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
      expect(r.notEnded).toEqual([]);
      expect(r.completed).toBe(r.webinars);
      expect(r.nondeterminism).toEqual([]);
      expect(r.nondeterminismReported).toEqual([]);
      expect(r.duplicates).toEqual([]);
      expect(r.unregistered).toEqual([]);
      expect(r.leakedMeetings).toBe(0);
      expect(r.histories).toBeGreaterThanOrEqual(r.webinars);
      expect(r.replayFailures).toEqual([]);
    },
  );
});
