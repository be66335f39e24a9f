import { BudgetConfigError, parseChimeBudgets, regionBudgetVar } from '../../worker/budget';
import { planChimeQueues } from '../../worker/chime-workers';

describe('parseChimeBudgets', () => {
  it('defaults: 10 calls/s per Region, 20 % reserved for operators', () => {
    const b = parseChimeBudgets({});
    expect(b.forRegion('us-east-1')).toEqual({
      region: 'us-east-1',
      perSecond: 10,
      bulkPerSecond: 8,
      operatorPerSecond: 2,
    });
  });

  it('reads the default, per-Region overrides and the operator share', () => {
    const b = parseChimeBudgets({
      CHIME_BUDGET_PER_SECOND: '6',
      CHIME_BUDGET_EU_WEST_1: '4',
      chime_unrelated: 'x',
      CHIME_OPERATOR_SHARE: '0.25',
    });
    expect(regionBudgetVar('eu-west-1')).toBe('CHIME_BUDGET_EU_WEST_1');
    expect(b.forRegion('eu-west-1')).toMatchObject({ perSecond: 4, operatorPerSecond: 1, bulkPerSecond: 3 });
    expect(b.forRegion('us-west-2')).toMatchObject({
      perSecond: 6,
      operatorPerSecond: 1.5,
      bulkPerSecond: 4.5,
    });
    expect(b.overrides).toEqual({ 'eu-west-1': 4 });
  });

  it.each([
    [{ CHIME_BUDGET_PER_SECOND: 'ten' }, /CHIME_BUDGET_PER_SECOND="ten" is not a valid API budget/],
    [{ CHIME_BUDGET_PER_SECOND: '0' }, /CHIME_BUDGET_PER_SECOND="0"/],
    [{ CHIME_BUDGET_US_EAST_1: '-1' }, /CHIME_BUDGET_US_EAST_1="-1" is not a valid API budget/],
    [{ CHIME_BUDGET_US_EAST_1: '' }, /CHIME_BUDGET_US_EAST_1=""/],
    [{ CHIME_BUDGET_MARS: '5' }, /CHIME_BUDGET_MARS does not name an AWS Region/],
    [{ CHIME_OPERATOR_SHARE: '1' }, /CHIME_OPERATOR_SHARE="1" is not a valid share/],
    [{ CHIME_OPERATOR_SHARE: '0' }, /CHIME_OPERATOR_SHARE="0"/],
    [{ CHIME_OPERATOR_SHARE: 'half' }, /CHIME_OPERATOR_SHARE="half"/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => parseChimeBudgets(env)).toThrow(BudgetConfigError);
    expect(() => parseChimeBudgets(env)).toThrow(message);
  });
});

describe('planChimeQueues', () => {
  it('one bulk and one operator queue per Region plus the default alias; rates sum to the budget', () => {
    const plan = planChimeQueues(
      'us-east-1',
      ['eu-central-1'],
      parseChimeBudgets({ CHIME_BUDGET_EU_CENTRAL_1: '5' }),
    );
    expect(plan).toEqual([
      { taskQueue: 'chime.default.bulk', region: 'us-east-1', callClass: 'bulk', ratePerSecond: 8 },
      { taskQueue: 'chime.default.operator', region: 'us-east-1', callClass: 'operator', ratePerSecond: 2 },
      { taskQueue: 'chime.eu-central-1.bulk', region: 'eu-central-1', callClass: 'bulk', ratePerSecond: 4 },
      {
        taskQueue: 'chime.eu-central-1.operator',
        region: 'eu-central-1',
        callClass: 'operator',
        ratePerSecond: 1,
      },
    ]);
  });

  it('splits the default Region between its alias and explicit queues, never exceeding its budget', () => {
    const plan = planChimeQueues('us-east-1', ['us-east-1', 'us-east-1'], parseChimeBudgets({}));
    expect(plan.map((q) => q.taskQueue)).toEqual([
      'chime.default.bulk',
      'chime.default.operator',
      'chime.us-east-1.bulk',
      'chime.us-east-1.operator',
    ]);
    const total = plan.filter((q) => q.region === 'us-east-1').reduce((sum, q) => sum + q.ratePerSecond, 0);
    expect(total).toBeCloseTo(10);
  });
});
