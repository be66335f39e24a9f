/**
 * The account's Chime SDK Meetings API budget, per control Region, as the worker reads it from the environment.
 * Each Region's budget is split into a bulk share (provisioning, registration, teardown) and a reserved
 * operator share (promote, demote, mute, remove), each enforced by the Temporal server as the rate limit of its
 * own task queue, so every worker process together stays within it.
 *
 *   CHIME_BUDGET_PER_SECOND=10         calls/s for every control Region (default 10)
 *   CHIME_BUDGET_US_EAST_1=8           calls/s for one Region (dashes as underscores, any case)
 *   CHIME_OPERATOR_SHARE=0.2           fraction reserved for operator actions (default 0.2, 0 < share < 1)
 */

export const DEFAULT_BUDGET_PER_SECOND = 10;
export const DEFAULT_OPERATOR_SHARE = 0.2;

export const BUDGET_PER_SECOND_VAR = 'CHIME_BUDGET_PER_SECOND';
export const OPERATOR_SHARE_VAR = 'CHIME_OPERATOR_SHARE';
const REGION_VAR_PREFIX = 'CHIME_BUDGET_';

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export interface RegionBudget {
  region: string;
  /** Total calls per second the account allows this worker fleet in the Region. */
  perSecond: number;
  /** Rate limit of the `bulk` task queue. */
  bulkPerSecond: number;
  /** Rate limit of the `operator` task queue (reserved; bulk work never uses it). */
  operatorPerSecond: number;
}

export interface ChimeBudgets {
  defaultPerSecond: number;
  operatorShare: number;
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

  const rawShare = env[OPERATOR_SHARE_VAR];
  let operatorShare = DEFAULT_OPERATOR_SHARE;
  if (rawShare !== undefined) {
    const share = Number(rawShare.trim());
    if (rawShare.trim() === '' || !Number.isFinite(share) || share <= 0 || share >= 1) {
      throw new BudgetConfigError(
        `${OPERATOR_SHARE_VAR}=${JSON.stringify(rawShare)} is not a valid share: expected a number strictly between 0 and 1`,
      );
    }
    operatorShare = share;
  }

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
    operatorShare,
    overrides,
    forRegion(region: string): RegionBudget {
      const perSecond = overrides[region] ?? defaultPerSecond;
      const operatorPerSecond = perSecond * operatorShare;
      return { region, perSecond, operatorPerSecond, bulkPerSecond: perSecond - operatorPerSecond };
    },
  };
}
