export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

export interface FaultSpec {
  /** Probability (0..1) that a call answers 500 ServiceFailureException. */
  serviceFailureRate: number;
  /** Probability (0..1) that a call answers 503 ServiceUnavailableException. */
  serviceUnavailableRate: number;
  /** Value of the Retry-After header on injected 503s. */
  retryAfterSeconds: number;
  /** Added latency before the call is processed. */
  latencyMs: number;
}

export interface EmulatorConfig {
  /** The AWS account ID used in meeting ARNs. */
  accountId: string;
  rateLimits: {
    enabled: boolean;
    /** Default bucket for each operation in each control Region. */
    perOperation: RateLimit;
    /** Per-operation overrides of `perOperation`. */
    operations: Record<string, RateLimit>;
    /** One bucket for all calls together in each control Region. */
    account: RateLimit;
  };
  faults: {
    seed: number;
    /** Keyed by operation name or `*`; an operation's entry is merged over `*`. */
    operations: Record<string, Partial<FaultSpec>>;
  };
  limits: {
    attendeesPerMeeting: number;
    replicasPerPrimary: number;
    concurrentMeetings: number;
  };
  clock: { speed: number };
  autoEnd: { idleMinutes: number; maxHours: number };
}

export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

export function defaultConfig(): EmulatorConfig {
  return {
    accountId: '123456789012',
    rateLimits: {
      enabled: true,
      perOperation: { ratePerSecond: 10, burst: 20 },
      operations: {},
      account: { ratePerSecond: 10, burst: 20 },
    },
    faults: { seed: 1, operations: {} },
    limits: { attendeesPerMeeting: 250, replicasPerPrimary: 4, concurrentMeetings: 250 },
    clock: { speed: 1 },
    autoEnd: { idleMinutes: 5, maxHours: 24 },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, `null` removes a key, anything else replaces. Returns a new object. */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(base)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key], value);
    else if (value !== undefined) out[key] = isPlainObject(value) ? deepMerge({}, value) : value;
  }
  return out as T;
}

function num(errors: string[], at: string, v: unknown, min: number, max = Infinity, integer = false): void {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    errors.push(`${at} must be a${integer ? 'n integer' : ' number'} in [${min}, ${max}]`);
  }
}

function rate(errors: string[], at: string, v: unknown): void {
  if (!isPlainObject(v)) {
    errors.push(`${at} must be {ratePerSecond, burst}`);
    return;
  }
  num(errors, `${at}.ratePerSecond`, v.ratePerSecond, Number.MIN_VALUE);
  num(errors, `${at}.burst`, v.burst, 1);
}

/** Returns the problems of a merged config; empty when it is usable. */
export function checkConfig(c: EmulatorConfig): string[] {
  const errors: string[] = [];
  if (typeof c.accountId !== 'string' || !/^\d{12}$/.test(c.accountId))
    errors.push('accountId must be 12 digits');
  if (typeof c.rateLimits?.enabled !== 'boolean') errors.push('rateLimits.enabled must be a boolean');
  rate(errors, 'rateLimits.perOperation', c.rateLimits?.perOperation);
  rate(errors, 'rateLimits.account', c.rateLimits?.account);
  for (const [op, r] of Object.entries(c.rateLimits?.operations ?? {}))
    rate(errors, `rateLimits.operations.${op}`, r);
  num(errors, 'faults.seed', c.faults?.seed, -(2 ** 53), 2 ** 53, true);
  for (const [op, f] of Object.entries(c.faults?.operations ?? {})) {
    if (!isPlainObject(f)) {
      errors.push(`faults.operations.${op} must be an object`);
      continue;
    }
    if (f.serviceFailureRate !== undefined)
      num(errors, `faults.${op}.serviceFailureRate`, f.serviceFailureRate, 0, 1);
    if (f.serviceUnavailableRate !== undefined) {
      num(errors, `faults.${op}.serviceUnavailableRate`, f.serviceUnavailableRate, 0, 1);
    }
    if (f.retryAfterSeconds !== undefined)
      num(errors, `faults.${op}.retryAfterSeconds`, f.retryAfterSeconds, 0);
    if (f.latencyMs !== undefined) num(errors, `faults.${op}.latencyMs`, f.latencyMs, 0, 60_000);
  }
  num(errors, 'limits.attendeesPerMeeting', c.limits?.attendeesPerMeeting, 1, 250, true);
  num(errors, 'limits.replicasPerPrimary', c.limits?.replicasPerPrimary, 0, 40, true);
  num(errors, 'limits.concurrentMeetings', c.limits?.concurrentMeetings, 1, 1_000_000, true);
  num(errors, 'clock.speed', c.clock?.speed, Number.MIN_VALUE, 1_000_000);
  num(errors, 'autoEnd.idleMinutes', c.autoEnd?.idleMinutes, Number.MIN_VALUE);
  num(errors, 'autoEnd.maxHours', c.autoEnd?.maxHours, Number.MIN_VALUE);
  return errors;
}

/** mulberry32: a tiny seeded PRNG, so fault injection is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
