/**
 * WebinarClient's status and attendee queries ask again when the stale-run guard refused them (the guard's own
 * error, from workflows/stale-run-guard.ts), and only then: a dashboard polling during a worker restart gets the
 * answer, and any other failure reaches it at once.
 */
import { queryPastStaleRuns, STALE_RUN_QUERY_ATTEMPTS } from '../../client/library/query-retry';
import { StaleRunError } from '../../workflows/stale-run-guard';

function asking(failures: Error[], answer = 'status'): { ask: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    ask: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return answer;
    },
    calls: () => calls,
  };
}

describe('queryPastStaleRuns', () => {
  it("asks again after the guard's refusal, pausing 50 then 100 ms, and returns the answer", async () => {
    const pauses: number[] = [];
    const q = asking([new StaleRunError(7), new StaleRunError(9)]);
    await expect(queryPastStaleRuns(q.ask, async (ms) => void pauses.push(ms))).resolves.toBe('status');
    expect(q.calls()).toBe(3);
    expect(pauses).toEqual([50, 100]);
  });

  it('passes any other failure on at once', async () => {
    const q = asking([new Error('workflow not found')]);
    await expect(queryPastStaleRuns(q.ask, async () => undefined)).rejects.toThrow('workflow not found');
    expect(q.calls()).toBe(1);
  });

  it(`gives up after ${STALE_RUN_QUERY_ATTEMPTS} refusals with the guard's error`, async () => {
    const q = asking(Array.from({ length: 10 }, () => new StaleRunError(3)));
    await expect(queryPastStaleRuns(q.ask, async () => undefined)).rejects.toThrow(/Retry the query/);
    expect(q.calls()).toBe(STALE_RUN_QUERY_ATTEMPTS);
  });
});
