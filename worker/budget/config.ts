/**
 * The account's Chime SDK Meetings API budget, per control Region, as the worker reads it from the environment.
 * Each Region's budget is the rate limit of its Chime task queue, enforced by the Temporal server for the queue
 * as a whole, so every worker process together stays within it. Operator actions carry the highest task
 * priority (domain/budget/call-classes.ts), and an operator's first attempt runs on the Region's operator lane,
 * rate-limited to OPERATOR_LANE_SHARE of this budget and paid back by a budget token on the Region's queue
 * (domain/budget/operator-lane.ts): the lane's share bounds the loans out at once, it is not set aside.
 *
 *   CHIME_BUDGET_PER_SECOND=10         calls/s for every control Region (default 10)
 *   CHIME_BUDGET_US_EAST_1=8           calls/s for one Region (dashes as underscores, any case)
 */
import { CONTROL_REGION_CALLS_PER_SECOND } from '../../domain/budget';

/** The service's rate for a control Region (domain/budget/rates.ts), unless the environment says less or more. */
export const DEFAULT_BUDGET_PER_SECOND = CONTROL_REGION_CALLS_PER_SECOND;

export const BUDGET_PER_SECOND_VAR = 'CHIME_BUDGET_PER_SECOND';
const REGION_VAR_PREFIX = 'CHIME_BUDGET_';

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export interface RegionBudget {
  region: string;
  /** Total calls per second the account allows this worker fleet in the Region. */
  perSecond: number;
}

export interface ChimeBudgets {
  defaultPerSecond: number;
  /** Per-Region overrides, by Region name. */
  overrides: Readonly<Record<string, number>>;
  forRegion(region: string): RegionBudget;
}

export class BudgetConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetConfigError';
  }
}

/** The environment variable that sets one Region's budget, e.g. `CHIME_BUDGET_US_EAST_1`. */
export function regionBudgetVar(region: string): string {
  return `${REGION_VAR_PREFIX}${region.toUpperCase().replace(/-/g, '_')}`;
}

function positiveNumber(name: string, raw: string): number {
  const trimmed = raw.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value) || value <= 0) {
    throw new BudgetConfigError(
      `${name}=${JSON.stringify(raw)} is not a valid API budget: expected a positive number of calls per second`,
    );
  }
  return value;
}

export function parseChimeBudgets(env: NodeJS.ProcessEnv = process.env): ChimeBudgets {
  const rawDefault = env[BUDGET_PER_SECOND_VAR];
  const defaultPerSecond =
    rawDefault === undefined ? DEFAULT_BUDGET_PER_SECOND : positiveNumber(BUDGET_PER_SECOND_VAR, rawDefault);

  const overrides: Record<string, number> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(REGION_VAR_PREFIX) || name === BUDGET_PER_SECOND_VAR || raw === undefined) continue;
    const region = name.slice(REGION_VAR_PREFIX.length).toLowerCase().replace(/_/g, '-');
    if (!REGION_PATTERN.test(region)) {
      throw new BudgetConfigError(
        `${name} does not name an AWS Region: expected ${REGION_VAR_PREFIX}<REGION>, e.g. ${regionBudgetVar('us-east-1')}`,
      );
    }
    overrides[region] = positiveNumber(name, raw);
  }

  return {
    defaultPerSecond,
    overrides,
    forRegion(region: string): RegionBudget {
      return { region, perSecond: overrides[region] ?? defaultPerSecond };
    },
  };
}
