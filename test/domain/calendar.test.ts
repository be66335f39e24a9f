/** The capacity calendar's arithmetic (domain/calendar.ts); the answers on a real server: test/capacity/. */
import {
  adaptiveLeadSeconds,
  assessWindow,
  committedIn,
  decide,
  planCalls,
  type CallPlan,
  type CommittedWebinar,
  type WindowAnswer,
} from '../../domain/calendar';
import { budgetFor } from '../../domain/budget';
import { MAX_PROVISION_LEAD_SECONDS } from '../../domain/limits';
import { calendarSearchAttributes, WEBINAR_PLANNED_CALLS } from '../../domain/search-attributes';
import type { AttendeeSpec, WebinarSpec } from '../../domain/types';
import { validateWebinarSpec, type NormalizedWebinarSpec } from '../../domain/validation/spec';

const START = Date.parse('2031-06-01T15:00:00Z');

function normalized(spec: Partial<WebinarSpec> & { attendees: AttendeeSpec[] }): NormalizedWebinarSpec {
  const result = validateWebinarSpec({
    webinarId: 'calls',
    startAt: new Date(START).toISOString(),
    endAt: new Date(START + 3_600_000).toISOString(),
    primaryRegion: 'us-east-1',
    maxReplicas: 40,
    provisionLeadSeconds: 30,
    ...spec,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const roster = (presenters: number, viewers: number): AttendeeSpec[] => [
  ...Array.from({ length: presenters }, (_, i): AttendeeSpec => ({
    externalUserId: `p-${i}`,
    role: 'speaker',
  })),
  ...Array.from({ length: viewers }, (_, i): AttendeeSpec => ({ externalUserId: `v-${i}`, role: 'viewer' })),
];

const calls = (provisioning: number, other = provisioning - 2): CallPlan => ({
  meetings: 1,
  criticalCalls: provisioning - other,
  otherCalls: other,
  checkCalls: 0,
  provisioningCalls: provisioning,
  teardownCalls: 1,
});

function committed(
  webinarId: string,
  startAt: number,
  leadSeconds: number,
  provisioningCalls: number,
): CommittedWebinar {
  return {
    webinarId,
    provisionAt: startAt - leadSeconds * 1000,
    startAt,
    endAt: startAt + 3_600_000,
    provisioningCalls,
    teardownCalls: 3,
  };
}

const window = { from: START - 30_000, to: START };

describe('planCalls', () => {
  test("1,000 attendees, no Regions: counted as the workflow places, registers and tears down: fewest meetings, the presenters' batch topped up, 1 DeleteMeeting", () => {
    const plan = planCalls(normalized({ attendees: roster(3, 997) }));
    // ceil((1,000 + the reserve of 10) / 250) = 5 meetings.
    expect(plan.meetings).toBe(5);
    expect(plan.criticalCalls).toBe(1 + 1); // CreateMeeting + the presenters' batch
    expect(plan.checkCalls).toBe(0); // a 30 s lead has no meeting check before the start
    expect(plan.teardownCalls).toBe(1);
    expect(plan.provisioningCalls).toBe(plan.criticalCalls + plan.otherCalls + plan.checkCalls);
    // 4 replica CreateMeetings + the primary's other 140 viewers (its 3 presenters' batch took 97: 2 batches)
    // + 3 × 3 batches of the full replicas + 1 of the last one's 10 viewers
    expect(plan.otherCalls).toBe(4 + 2 + 9 + 1);
    expect(plan.provisioningCalls).toBe(18);
  });

  test('transcription is one call, meeting checks one per meeting per minute of the lead', () => {
    const spec = normalized({
      attendees: roster(2, 100),
      transcription: { LanguageCode: 'en-US' },
      provisionLeadSeconds: 180,
    });
    const plan = planCalls(spec);
    expect(plan).toMatchObject({ meetings: 1, criticalCalls: 2, otherCalls: 1 + 1, checkCalls: 3 });
  });

  test('the search-attribute values come from the same figures', () => {
    const spec = normalized({ attendees: roster(3, 997) });
    const pairs = calendarSearchAttributes(spec);
    expect(pairs.find((p) => p.key === WEBINAR_PLANNED_CALLS)?.value).toBe(planCalls(spec).provisioningCalls);
    expect(pairs.map((p) => p.key.name)).toEqual([
      'WebinarControlRegion',
      'WebinarProvisionAt',
      'WebinarEndAt',
      'WebinarPlannedCalls',
      'WebinarTeardownCalls',
    ]);
    expect(pairs[0]?.value).toBe('default');
  });
});

describe('the window', () => {
  test('the budget is the burst plus the rate over the lead', () => {
    expect(budgetFor(240)).toBe(2_420);
    expect(budgetFor(20)).toBe(220);
  });

  test('overlapping windows count prorated; a teardown counts when the webinar ends inside', () => {
    expect(committedIn(window, committed('same', START, 30, 90))).toBe(90);
    expect(committedIn(window, committed('half', START - 15_000, 30, 90))).toBe(45);
    expect(committedIn(window, committed('before', START - 60_000, 30, 90))).toBe(0);
    const ending = { ...committed('ending', START - 7_200_000, 30, 90), endAt: START - 10_000 };
    expect(committedIn(window, ending)).toBe(3);
  });

  test('fits: the figures add up', () => {
    const answer = assessWindow({ webinarId: 'me', controlRegion: 'us-east-1', window, calls: calls(100) }, [
      committed('a', START, 30, 150),
    ]);
    expect(answer).toMatchObject({ budget: 320, needed: 100, committed: 150, fits: true, overBy: 0 });
    expect(answer.expectedReadySeconds).toBe(23);
    expect(answer.expectedReadyVsStartSeconds).toBe(-7);
  });

  test('over-committed: the latest starts lose their viewers first; equal starts share', () => {
    const others = [committed('early', START - 20_000, 30, 200), committed('same', START, 30, 200)];
    const answer = assessWindow(
      { webinarId: 'me', controlRegion: 'us-east-1', window, calls: calls(200) },
      others,
    );
    // 'early' overlaps a third of its window: 67 of its 200 calls.
    expect(answer.overBy).toBe(200 + 200 + 67 - 320);
    expect(answer.lateViewers.sort()).toEqual(['me', 'same']);
    expect(answer.committedBy.map((c) => c.webinarId)).toEqual(['same', 'early']);
  });

  test('the webinar itself (a retried schedule) is never counted as committed', () => {
    const answer = assessWindow({ webinarId: 'me', controlRegion: 'us-east-1', window, calls: calls(100) }, [
      committed('me', START, 30, 100),
    ]);
    expect(answer.committed).toBe(0);
  });
});

describe('the policy', () => {
  const answer = (controlRegion: string, committedCalls: number): WindowAnswer =>
    assessWindow({ webinarId: 'me', controlRegion, window, calls: calls(200) }, [
      committed('x', START, 30, committedCalls),
    ]);

  test('fits: scheduled in its own Region whatever the policy', () => {
    for (const policy of ['warn', 'refuse', 'least-committed'] as const)
      expect(decide(policy, [answer('us-east-1', 0)])).toMatchObject({
        action: 'schedule',
        controlRegion: 'us-east-1',
      });
  });

  test('warn schedules with the figures; refuse refuses with them', () => {
    const warned = decide('warn', [answer('us-east-1', 300)]);
    expect(warned).toMatchObject({
      action: 'schedule',
      warning: expect.stringContaining('over-committed by 180 calls') as unknown,
    });
    expect(decide('refuse', [answer('us-east-1', 300)])).toMatchObject({ action: 'refuse' });
  });

  test('least-committed picks the Region with the smallest shortfall, its own on a tie', () => {
    const pick = decide('least-committed', [
      answer('us-east-1', 300),
      answer('us-west-2', 200),
      answer('eu-central-1', 50),
    ]);
    expect(pick).toMatchObject({ action: 'schedule', controlRegion: 'eu-central-1' });
    expect(pick).not.toHaveProperty('warning');
    const tie = decide('least-committed', [answer('us-east-1', 300), answer('us-west-2', 300)]);
    expect(tie).toMatchObject({
      controlRegion: 'us-east-1',
      warning: expect.stringContaining('no configured') as unknown,
    });
  });
});

describe('adaptiveLeadSeconds', () => {
  test('keeps the lead when the window fits', () => {
    expect(adaptiveLeadSeconds({ leadSeconds: 60, neededCalls: 100, committedCalls: 200 })).toEqual({
      leadSeconds: 60,
      fits: true,
    });
  });

  test('starts earlier, just enough, when the window is over-committed', () => {
    // 1,000 calls need (1,000 − 20) / 10 = 98 s.
    expect(adaptiveLeadSeconds({ leadSeconds: 60, neededCalls: 400, committedCalls: 600 })).toEqual({
      leadSeconds: 98,
      fits: true,
    });
  });

  test(`never earlier than ${MAX_PROVISION_LEAD_SECONDS} s: an idle primary auto-ends after 5 minutes`, () => {
    expect(adaptiveLeadSeconds({ leadSeconds: 60, neededCalls: 2_000, committedCalls: 2_000 })).toEqual({
      leadSeconds: MAX_PROVISION_LEAD_SECONDS,
      fits: false,
    });
    expect(
      adaptiveLeadSeconds({ leadSeconds: 60, neededCalls: 2_000, committedCalls: 2_000, maxLeadSeconds: 900 })
        .leadSeconds,
    ).toBe(MAX_PROVISION_LEAD_SECONDS);
  });
});
