/**
 * The stale-run guard's rule, activation by activation (workflows/stale-run-guard.ts): what it refuses, what it
 * lets through, and the gaps docs/reliability.md states ("The guard's gaps"), each as the guard sees it. The
 * defect itself, on a real server and worker, is test/reliability/query-during-restart.reliability.ts.
 */
import { msToTs } from '@temporalio/common/lib/time';
import type { coresdk } from '@temporalio/proto';
import { StaleRunError, StaleRunGuard } from '../../workflows/stale-run-guard';

type Activation = coresdk.workflow_activation.IWorkflowActivation;

interface Step {
  historyLength: number;
  /** Seconds of the activation's timestamp: the start time of the workflow task it belongs to. */
  at: number;
  replaying?: boolean;
  jobs?: 'events' | 'query';
}

function activation({ historyLength, at, replaying = false, jobs = 'events' }: Step): Activation {
  return {
    historyLength,
    timestamp: msToTs(at * 1000),
    isReplaying: replaying,
    jobs: jobs === 'query' ? [{ queryWorkflow: { queryType: 'status' } }] : [{ fireTimer: { seq: 1 } }],
  };
}

/** Feeds the steps to one guard (one cached run) and says which reached the workflow and which were refused. */
function run(steps: Step[], guard = new StaleRunGuard()): ('applied' | 'refused')[] {
  return steps.map((step) => {
    let applied = false;
    try {
      guard.activate({ activation: activation(step), batchIndex: 0 }, () => {
        applied = true;
      });
    } catch (error) {
      expect(error).toBeInstanceOf(StaleRunError);
      return 'refused';
    }
    return applied ? 'applied' : 'refused';
  });
}

describe('stale-run guard', () => {
  it('lets through workflow tasks whose clock moves with the history, and queries', () => {
    expect(
      run([
        { historyLength: 3, at: 100 },
        { historyLength: 3, at: 100, jobs: 'query' },
        { historyLength: 8, at: 101 },
        { historyLength: 8, at: 101, jobs: 'query' },
        { historyLength: 12, at: 160 },
      ]),
    ).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it("refuses events applied at a longer history under the last task's clock: the legacy query's signature", () => {
    // The canary's log: initializeWorkflow at hl=3, then a legacy query applies the fired timer at hl=7, same T.
    expect(
      run([
        { historyLength: 3, at: 100 },
        { historyLength: 7, at: 100 },
      ]),
    ).toEqual(['applied', 'refused']);
  });

  it('lets a replay through, and refuses nothing after it that moves the clock (the run rebuilt after eviction)', () => {
    expect(
      run([
        { historyLength: 3, at: 100, replaying: true },
        { historyLength: 7, at: 100, replaying: true },
        { historyLength: 11, at: 130 },
      ]),
    ).toEqual(['applied', 'applied', 'applied']);
  });

  it('gap: a legacy query whose history holds the next task started moves the clock, and the guard stays silent', () => {
    // The query applied the events up to the next WorkflowTaskStarted, whose time the activation carries.
    expect(
      run([
        { historyLength: 3, at: 100 },
        { historyLength: 9, at: 105, jobs: 'events' },
      ]),
    ).toEqual(['applied', 'applied']);
  });

  it('gap: two real tasks started in the same second and nanosecond are refused once, and the retry goes through', () => {
    const cached = new StaleRunGuard();
    expect(
      run(
        [
          { historyLength: 3, at: 100 },
          { historyLength: 8, at: 100 },
        ],
        cached,
      ),
    ).toEqual(['applied', 'refused']);
    // The eviction drops the run; the task's retry (a new attempt, a new start time) replays from the start.
    expect(
      run([
        { historyLength: 3, at: 100, replaying: true },
        { historyLength: 10, at: 101 },
      ]),
    ).toEqual(['applied', 'applied']);
  });
});
