/**
 * Bounded validation, end to end on the time-skipping server (issue #17): a webinar input with thousands of
 * bad attendees fails with a ValidationError whose recorded failure stays far under Temporal's 2 MiB payload
 * limit (before the bound, 12,000 bad attendees gave 24,001 field errors and 2.41 MB of failure details).
 */
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { MAX_REPORTED_ERRORS } from '../../domain/limits';
import { startWebinarStack, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'time-skipping' });
});

afterAll(async () => {
  await stack?.shutdown();
});

/** Attendees with two bad fields each (an ID too short, an unknown role): 50 bytes of input apiece. */
const bad = (n: number) => Array.from({ length: n }, () => ({ externalUserId: 'x', role: 'admin' }));

const LIMIT = 2 * 1024 * 1024;

async function failureOf(
  attendees: unknown[],
  id: string,
): Promise<{ bytes: number; failure: ApplicationFailure }> {
  const spec = { ...webinarSpec(Date.now()), webinarId: id, attendees };
  const handle = await stack.env.client.workflow.start('webinarWorkflow', {
    args: [spec],
    taskQueue: stack.taskQueue,
    workflowId: `bounded-${id}-${process.pid}`,
  });
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
  const history = await handle.fetchHistory();
  const failed = history.events?.find((e) => e.workflowExecutionFailedEventAttributes)
    ?.workflowExecutionFailedEventAttributes?.failure;
  if (!failed) throw new Error('no WorkflowExecutionFailed event');
  const bytes = temporal.api.failure.v1.Failure.encode(failed).finish().length;
  return { bytes, failure };
}

describe('a webinar input with thousands of bad attendees', () => {
  test('12,000 bad attendees (a 588 KB input): one roster-size error, a failure of a few hundred bytes', async () => {
    const { bytes, failure } = await failureOf(bad(12_000), 'twelve-thousand');
    expect(failure.type).toBe('ValidationError');
    expect(failure.message).toMatch(
      /attendees: 12,000 attendees and a promotion reserve of 10 seats need 49 meetings of 250/,
    );
    const [errors] = failure.details as [unknown[]];
    expect(errors).toHaveLength(1);
    expect(bytes).toBeLessThan(4 * 1024);
    expect(bytes).toBeLessThan(LIMIT / 100);
  });

  test('10,000 bad attendees (20,001 errors): 100 listed plus the count, a failure under 32 KiB', async () => {
    const { bytes, failure } = await failureOf(bad(10_000), 'ten-thousand');
    expect(failure.type).toBe('ValidationError');
    expect(failure.message).toMatch(
      /^Invalid webinar input: 20,001 errors: attendees\[0\]\.externalUserId: .*\(the failure's details list the first 100\)$/,
    );
    const [errors] = failure.details as [unknown[]];
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[MAX_REPORTED_ERRORS]).toEqual({
      field: 'input',
      message: 'and 19,901 more errors',
      more: 19_901,
    });
    expect(bytes).toBeLessThan(32 * 1024);
  });
});
