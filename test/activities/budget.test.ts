import { CALL_PRIORITY, chimeActivityOptions, webinarFairnessKey, type CallClass } from '../../domain/budget';
import { BudgetConfigError, parseChimeBudgets, regionBudgetVar } from '../../worker/budget/config';
import { planChimeQueues } from '../../worker/budget/chime-workers';

describe('parseChimeBudgets', () => {
  it('defaults to 10 calls/s per Region', () => {
    expect(parseChimeBudgets({}).forRegion('us-east-1')).toEqual({ region: 'us-east-1', perSecond: 10 });
  });

  it('reads the default and per-Region overrides', () => {
    const b = parseChimeBudgets({
      CHIME_BUDGET_PER_SECOND: '6',
      CHIME_BUDGET_EU_WEST_1: '4',
      chime_unrelated: 'x',
    });
    expect(regionBudgetVar('eu-west-1')).toBe('CHIME_BUDGET_EU_WEST_1');
    expect(b.forRegion('eu-west-1')).toEqual({ region: 'eu-west-1', perSecond: 4 });
    expect(b.forRegion('us-west-2')).toEqual({ region: 'us-west-2', perSecond: 6 });
    expect(b.overrides).toEqual({ 'eu-west-1': 4 });
  });

  it.each([
    [{ CHIME_BUDGET_PER_SECOND: 'ten' }, /CHIME_BUDGET_PER_SECOND="ten" is not a valid API budget/],
    [{ CHIME_BUDGET_PER_SECOND: '0' }, /CHIME_BUDGET_PER_SECOND="0"/],
    [{ CHIME_BUDGET_US_EAST_1: '-1' }, /CHIME_BUDGET_US_EAST_1="-1" is not a valid API budget/],
    [{ CHIME_BUDGET_US_EAST_1: '' }, /CHIME_BUDGET_US_EAST_1=""/],
    [{ CHIME_BUDGET_MARS: '5' }, /CHIME_BUDGET_MARS does not name an AWS Region/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => parseChimeBudgets(env)).toThrow(BudgetConfigError);
    expect(() => parseChimeBudgets(env)).toThrow(message);
  });
});

describe('planChimeQueues', () => {
  it('one queue per Region plus the default alias, each rate-limited to its Region budget, each with an operator lane at half of it', () => {
    const plan = planChimeQueues(
      'us-east-1',
      ['eu-central-1'],
      parseChimeBudgets({ CHIME_BUDGET_EU_CENTRAL_1: '5' }),
    );
    expect(plan).toEqual([
      {
        taskQueue: 'chime.default',
        region: 'us-east-1',
        ratePerSecond: 10,
        operatorLane: { taskQueue: 'chime.default.operator', ratePerSecond: 5 },
      },
      {
        taskQueue: 'chime.eu-central-1',
        region: 'eu-central-1',
        ratePerSecond: 5,
        operatorLane: { taskQueue: 'chime.eu-central-1.operator', ratePerSecond: 2.5 },
      },
    ]);
  });

  it('splits the default Region between its alias and explicit queue, never exceeding its budget', () => {
    const plan = planChimeQueues('us-east-1', ['us-east-1', 'us-east-1'], parseChimeBudgets({}));
    expect(plan.map((q) => q.taskQueue)).toEqual(['chime.default', 'chime.us-east-1']);
    expect(plan.reduce((sum, q) => sum + q.ratePerSecond, 0)).toBeCloseTo(10);
  });
});

describe('chimeActivityOptions', () => {
  it('sends every class of call to the Region queue, operator calls with the highest priority', () => {
    const bulk = chimeActivityOptions('bulk', 'eu-central-1');
    const operator = chimeActivityOptions('operator', 'eu-central-1');
    expect(bulk.taskQueue).toBe('chime.eu-central-1');
    expect(operator.taskQueue).toBe('chime.eu-central-1');
    expect(operator.priority?.priorityKey).toBeLessThan(bulk.priority?.priorityKey ?? Infinity);
    expect(chimeActivityOptions('bulk').taskQueue).toBe('chime.default');
  });

  it('ranks the tiers operator, critical path, bulk, teardown, inside the server default range 1-5', () => {
    const key = (c: CallClass) => chimeActivityOptions(c, 'us-east-1').priority?.priorityKey;
    expect(CALL_PRIORITY).toEqual({ operator: 1, critical: 2, bulk: 3, teardown: 4 });
    expect([key('operator'), key('critical'), key('bulk'), key('teardown')]).toEqual([1, 2, 3, 4]);
    for (const c of Object.keys(CALL_PRIORITY) as CallClass[]) {
      expect(chimeActivityOptions(c, 'us-east-1').taskQueue).toBe('chime.us-east-1');
    }
  });

  it("gives each webinar's calls its own fairness key, and none when no webinar is named", () => {
    const small = chimeActivityOptions('bulk', 'us-east-1', { webinarId: 'small-1' });
    const big = chimeActivityOptions('bulk', 'us-east-1', { webinarId: 'big-1' });
    expect(small.priority).toEqual({ priorityKey: 3, fairnessKey: 'webinar-small-1' });
    expect(big.priority?.fairnessKey).toBe('webinar-big-1');
    expect(chimeActivityOptions('bulk', 'us-east-1').priority).toEqual({ priorityKey: 3 });
    // The server's limit is 64 bytes; a validated webinarId (48 characters at most) always fits whole.
    expect(webinarFairnessKey('x'.repeat(48))).toBe(`webinar-${'x'.repeat(48)}`);
    expect(Buffer.byteLength(webinarFairnessKey('y'.repeat(200)))).toBe(64);
  });
});
