/**
 * The capacity calendar on the dev server (issue #15.2): webinars scheduled through WebinarClient record
 * what they commit (search attributes set at start), and schedule() answers from visibility: fits, warn,
 * refuse, or the least-committed control Region. No worker runs: scheduled webinars stay SCHEDULED, as
 * they would hours before their start.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { planCalls } from '../../domain/calendar';
import { MAX_PROVISION_LEAD_SECONDS } from '../../domain/limits';
import {
  WEBINAR_CONTROL_REGION,
  WEBINAR_PLANNED_CALLS,
  WEBINAR_PROVISION_AT,
} from '../../domain/search-attributes';
import type { AttendeeSpec, WebinarSpec } from '../../domain/types';
import { validateWebinarSpec } from '../../domain/validation/spec';
import { WebinarOverCommittedError, type CalendarConfig } from '../../client/library/calendar';
import { WebinarClient } from '../../client/library/webinar-client';
import { startDevServer } from '../../tooling/temporal-servers';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startDevServer();
});

afterAll(async () => {
  await env?.teardown();
});

const LEAD_SECONDS = 20; // a window of 20 + 10 × 20 = 220 calls at the real limits
let n = 0;

/** A webinar of `size` attendees (2 presenters) starting at `startAt`, on `controlRegion`. */
function webinar(size: number, startAt: number, controlRegion: string): WebinarSpec {
  n += 1;
  const attendees: AttendeeSpec[] = Array.from({ length: size }, (_, i) => ({
    externalUserId: `w${n}-${i}`,
    role: i === 0 ? 'host' : i === 1 ? 'speaker' : 'viewer',
  }));
  return {
    webinarId: `calendar-${process.pid}-${n}`,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(startAt + 3_600_000).toISOString(),
    controlRegion,
    primaryRegion: 'us-east-1',
    attendees,
    provisionLeadSeconds: LEAD_SECONDS,
    maxReplicas: 40,
  };
}

/** The calls `spec` needs with a lead of `leadSeconds` (its meeting checks run through the lead). */
function callsOf(spec: WebinarSpec, leadSeconds = spec.provisionLeadSeconds ?? LEAD_SECONDS): number {
  const validated = validateWebinarSpec({ ...spec, provisionLeadSeconds: leadSeconds });
  if (!validated.ok) throw new Error('test spec must be valid');
  return planCalls(validated.value).provisioningCalls;
}

function client(calendar: CalendarConfig): WebinarClient {
  return new WebinarClient(env.client, { taskQueue: `calendar-${process.pid}`, calendar });
}

/** Waits until visibility lists the webinar (visibility is eventually consistent). */
async function visible(webinarId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const count = await env.client.workflow.count(`WorkflowId = 'webinar-${webinarId}'`);
    if (count.count > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`webinar ${webinarId} never appeared in visibility`);
}

/** The input a webinar was started with, from its history. */
async function startedInput(handle: WorkflowHandle): Promise<WebinarSpec> {
  const history = await handle.fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  return JSON.parse(Buffer.from(input ?? new Uint8Array()).toString()) as WebinarSpec;
}

/**
 * A 10,000-attendee webinar scheduled (through `calendar`) and visible on `controlRegion` for `start`, and a
 * second one of the same size for the same start, not yet scheduled.
 */
async function secondBesideFirst(
  start: number,
  controlRegion: string,
  calendar: CalendarConfig = {},
): Promise<{ first: WebinarSpec; second: WebinarSpec }> {
  const first = webinar(10_000, start, controlRegion);
  await client(calendar).schedule(first);
  await visible(first.webinarId);
  return { first, second: webinar(10_000, start, controlRegion) };
}

/** A top of the hour a day out, different for every test so their windows never meet. */
function topOfHour(hoursAhead: number): number {
  return Math.ceil(Date.now() / 3_600_000) * 3_600_000 + hoursAhead * 3_600_000;
}

describe('the capacity calendar', () => {
  test('a webinar alone in its window fits, with its figures and search attributes', async () => {
    const spec = webinar(10_000, topOfHour(24), 'us-west-2');
    const result = await client({}).schedule(spec);
    expect(result.calendar?.action).toBe('schedule');
    const answer = result.calendar?.answer;
    expect(answer).toMatchObject({
      controlRegion: 'us-west-2',
      fits: true,
      overBy: 0,
      committed: 0,
      budget: 220,
    });
    expect(answer?.needed).toBe(callsOf(spec));
    expect(answer?.expectedReadyVsStartSeconds).toBeLessThan(0);
    const described = await result.handle.describe();
    expect(described.typedSearchAttributes.get(WEBINAR_CONTROL_REGION)).toBe('us-west-2');
    expect(described.typedSearchAttributes.get(WEBINAR_PLANNED_CALLS)).toBe(callsOf(spec));
    expect(described.typedSearchAttributes.get(WEBINAR_PROVISION_AT)?.getTime()).toBe(
      Date.parse(spec.startAt) - LEAD_SECONDS * 1000,
    );
  });

  test('warn (the default): an over-committed window is scheduled, with the shortfall and whose viewers are late', async () => {
    const start = topOfHour(25);
    const { first, second } = await secondBesideFirst(start, 'us-west-2');
    const result = await client({ adaptiveLead: false }).schedule(second);
    expect(result.created).toBe(true);
    const decision = result.calendar;
    if (decision?.action !== 'schedule') throw new Error('warn must schedule');
    const overBy = callsOf(first) + callsOf(second) - 220;
    expect(decision.answer).toMatchObject({ fits: false, committed: callsOf(first), overBy });
    expect(decision.answer.lateViewers.sort()).toEqual([first.webinarId, second.webinarId].sort());
    expect(decision.warning).toContain(`over-committed by ${overBy} calls`);
    expect(decision.answer.expectedReadyVsStartSeconds).toBeGreaterThan(0);
  });

  test('refuse: nothing is started, and a retry of a webinar already scheduled still returns it', async () => {
    const start = topOfHour(26);
    const { first, second } = await secondBesideFirst(start, 'us-west-2', { policy: 'refuse' });
    const refused = await client({ policy: 'refuse', adaptiveLead: false })
      .schedule(second)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(WebinarOverCommittedError);
    expect((refused as WebinarOverCommittedError).message).toMatch(/over-committed by \d+ calls/);
    expect((await env.client.workflow.count(`WorkflowId = 'webinar-${second.webinarId}'`)).count).toBe(0);
    // A small one still fits beside the first; the first's retry returns it even though its window is fuller.
    const small = webinar(300, start, 'us-west-2');
    expect((await client({ policy: 'refuse' }).schedule(small)).calendar?.answer.fits).toBe(true);
    await visible(small.webinarId);
    const retry = await client({ policy: 'refuse' }).schedule(first);
    expect(retry.created).toBe(false);
  });

  test('the adaptive lead: an over-committed window is widened until it fits, and the input and search attributes carry the new lead', async () => {
    const start = topOfHour(28);
    const { first, second } = await secondBesideFirst(start, 'eu-central-1');
    const result = await client({}).schedule(second);
    const decision = result.calendar;
    if (decision?.action !== 'schedule') throw new Error('warn must schedule');
    // Both need callsOf() calls before the same start: the shortest window that admits them is
    // (total − burst) / rate seconds; the first webinar's window lies inside it, so all of its calls count. The
    // second's own calls grow with its lead (a meeting check per meeting a minute), so the window is widened
    // until it holds them at that lead.
    let lead = LEAD_SECONDS;
    while (20 + 10 * lead < callsOf(first) + callsOf(second, lead))
      lead = Math.ceil((callsOf(first) + callsOf(second, lead) - 20) / 10);
    const total = callsOf(first) + callsOf(second, lead);
    expect(lead).toBeGreaterThan(LEAD_SECONDS);
    expect(decision.answer.needed).toBe(callsOf(second, lead));
    expect(decision.answer).toMatchObject({
      fits: true,
      committed: callsOf(first),
      adaptedFromLeadSeconds: LEAD_SECONDS,
      window: { from: start - lead * 1000, to: start },
    });
    expect(decision.warning).toBeUndefined();
    const described = await result.handle.describe();
    expect(described.typedSearchAttributes.get(WEBINAR_PROVISION_AT)?.getTime()).toBe(start - lead * 1000);
    expect(await startedInput(result.handle)).toMatchObject({ provisionLeadSeconds: lead });
    await visible(second.webinarId);

    // On a Region of 1 call/s, a third one does not fit even at the longest lead (where an idle primary still
    // does not auto-end): it is scheduled (warn) at that lead, with the shortfall.
    const third = webinar(10_000, start, 'eu-central-1');
    const slow = await client({ budget: { callsPerSecond: 1, burst: 20 } }).schedule(third);
    const last = slow.calendar;
    if (last?.action !== 'schedule') throw new Error('warn must schedule');
    expect(last.answer.window.from).toBe(start - MAX_PROVISION_LEAD_SECONDS * 1000);
    expect(last.answer).toMatchObject({ fits: false, adaptedFromLeadSeconds: LEAD_SECONDS });
    expect(last.answer.overBy).toBe(
      total + callsOf(third, MAX_PROVISION_LEAD_SECONDS) - (20 + MAX_PROVISION_LEAD_SECONDS),
    );
    expect(last.warning).toContain(`over-committed by ${last.answer.overBy} calls`);
  });

  test('least-committed: an over-committed webinar moves to the configured control Region with room', async () => {
    const start = topOfHour(27);
    const { second } = await secondBesideFirst(start, 'us-east-1');
    const result = await client({
      policy: 'least-committed',
      controlRegions: ['us-east-1', 'us-west-2', 'eu-central-1', 'us-gov-west-1'],
      adaptiveLead: false,
    }).schedule(second);
    const decision = result.calendar;
    if (decision?.action !== 'schedule') throw new Error('least-committed must schedule');
    // us-west-2 and eu-central-1 are both empty in this window: the first listed wins the tie.
    expect(decision.controlRegion).toBe('us-west-2');
    expect(decision.answer.fits).toBe(true);
    const described = await result.handle.describe();
    expect(described.typedSearchAttributes.get(WEBINAR_CONTROL_REGION)).toBe('us-west-2');
    expect(await startedInput(result.handle)).toMatchObject({ controlRegion: 'us-west-2' });
  });
});
