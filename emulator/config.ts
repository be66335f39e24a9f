import { isControlRegion } from '../domain/regions';

export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/**
 * Seeded faults of one operation. The rates are probabilities (0..1) of disjoint outcomes drawn with one number
 * per call, so they add up to at most 1. The first two fail the call before it takes effect; the last three let
 * it take effect and then spoil the answer, which is the hazard a retry must survive without doing it twice.
 */
export interface FaultSpec {
  /** Before the effect: 500 ServiceFailureException. */
  serviceFailureRate: number;
  /** Before the effect: 503 ServiceUnavailableException with Retry-After. */
  serviceUnavailableRate: number;
  /** Value of the Retry-After header on injected 503s. */
  retryAfterSeconds: number;
  /** Added latency before the call is processed. */
  latencyMs: number;
  /**
   * After the effect: no answer. The connection is held for `lostResponseHoldMs`, then closed without a
   * response: the client's request timeout fires if it is shorter, else it sees "socket hang up" (ECONNRESET).
   */
  lostResponseRate: number;
  /** How long a lost response holds the connection before closing it (default 15 000: past the worker's 10 s timeout). */
  lostResponseHoldMs: number;
  /** After the effect: 500 ServiceFailureException. */
  failureAfterCommitRate: number;
  /** After the effect: the connection is reset (TCP RST) instead of answered; the client sees ECONNRESET. */
  resetAfterCommitRate: number;
}

/** The rates of a FaultSpec, in the order the draw tests them. */
export const FAULT_RATES = [
  'serviceFailureRate',
  'serviceUnavailableRate',
  'lostResponseRate',
  'failureAfterCommitRate',
  'resetAfterCommitRate',
] as const;

export const DEFAULT_LOST_RESPONSE_HOLD_MS = 15_000;

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
  events: {
    /**
     * Per control Region, the name of a queue of this emulator (in that Region) that receives every meeting
     * event of the Region: what an EventBridge rule for "Chime Meeting State Change" targeting a queue does in
     * AWS. Created (empty, default attributes) when configured and after a reset.
     */
    defaultQueues: Record<string, string>;
    /**
     * Probability (0..1) that an event is put on each of its queues twice, the same body and event ID: the
     * at-least-once delivery a consumer must absorb. Drawn from a PRNG seeded with `faults.seed`.
     */
    duplicateRate: number;
  };
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
    events: { defaultQueues: {}, duplicateRate: 0 },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys that would reach an object's prototype instead of the object: refused anywhere in a patch. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A config patch that cannot be merged; `field` is the dotted path of the offending key. */
export class ConfigPatchError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigPatchError';
  }
}

/**
 * Deep merge: objects merge key by key, `null` removes a key, anything else replaces. Returns a new object.
 * `__proto__`, `constructor` and `prototype` keys throw ConfigPatchError (JSON.parse makes `__proto__` an own
 * key, and assigning it would replace the prototype, hiding the value from every check and from GET /config).
 */
export function deepMerge<T>(base: T, patch: unknown, at = ''): T {
  if (!isPlainObject(patch) || !isPlainObject(base)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const field = at ? `${at}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) throw new ConfigPatchError(field, 'this key is not allowed in a config');
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key], value, field);
    else if (value !== undefined) out[key] = isPlainObject(value) ? deepMerge({}, value, field) : value;
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

function rateSum(f: Record<string, unknown>): number {
  return FAULT_RATES.reduce((sum, name) => sum + (typeof f[name] === 'number' ? f[name] : 0), 0);
}

function faultSpec(errors: string[], op: string, f: Record<string, unknown>, star: unknown): void {
  for (const name of FAULT_RATES)
    if (f[name] !== undefined) num(errors, `faults.${op}.${name}`, f[name], 0, 1);
  // An operation's entry is merged over `*`: the merged rates are what one draw divides.
  const sum = rateSum(isPlainObject(star) && op !== '*' ? { ...star, ...f } : f);
  if (sum > 1 + 1e-9) errors.push(`faults.${op}: the rates add up to ${sum} (with *), more than 1`);
  if (f.retryAfterSeconds !== undefined)
    num(errors, `faults.${op}.retryAfterSeconds`, f.retryAfterSeconds, 0);
  if (f.latencyMs !== undefined) num(errors, `faults.${op}.latencyMs`, f.latencyMs, 0, 60_000);
  if (f.lostResponseHoldMs !== undefined) {
    num(errors, `faults.${op}.lostResponseHoldMs`, f.lostResponseHoldMs, 0, 120_000);
  }
}

/**
 * Returns the problems of a merged config; empty when it is usable. `operations` are the names that may key
 * `faults.operations` and `rateLimits.operations` (besides `*` for faults): a misspelt name would do nothing.
 */
export function checkConfig(c: EmulatorConfig, operations?: readonly string[]): string[] {
  const errors: string[] = [];
  if (typeof c.accountId !== 'string' || !/^\d{12}$/.test(c.accountId))
    errors.push('accountId must be 12 digits');
  if (typeof c.rateLimits?.enabled !== 'boolean') errors.push('rateLimits.enabled must be a boolean');
  rate(errors, 'rateLimits.perOperation', c.rateLimits?.perOperation);
  rate(errors, 'rateLimits.account', c.rateLimits?.account);
  const known = operations ? new Set(operations) : undefined;
  for (const [op, r] of Object.entries(c.rateLimits?.operations ?? {})) {
    if (known && !known.has(op)) errors.push(`rateLimits.operations.${op} names no operation`);
    rate(errors, `rateLimits.operations.${op}`, r);
  }
  num(errors, 'faults.seed', c.faults?.seed, -(2 ** 53), 2 ** 53, true);
  for (const [op, f] of Object.entries(c.faults?.operations ?? {})) {
    if (known && op !== '*' && !known.has(op)) errors.push(`faults.operations.${op} names no operation`);
    if (!isPlainObject(f)) {
      errors.push(`faults.operations.${op} must be an object`);
      continue;
    }
    faultSpec(errors, op, f, c.faults.operations['*']);
  }
  num(errors, 'limits.attendeesPerMeeting', c.limits?.attendeesPerMeeting, 1, 250, true);
  num(errors, 'limits.replicasPerPrimary', c.limits?.replicasPerPrimary, 0, 40, true);
  num(errors, 'limits.concurrentMeetings', c.limits?.concurrentMeetings, 1, 1_000_000, true);
  num(errors, 'clock.speed', c.clock?.speed, Number.MIN_VALUE, 1_000_000);
  num(errors, 'autoEnd.idleMinutes', c.autoEnd?.idleMinutes, Number.MIN_VALUE);
  num(errors, 'autoEnd.maxHours', c.autoEnd?.maxHours, Number.MIN_VALUE);
  num(errors, 'events.duplicateRate', c.events?.duplicateRate, 0, 1);
  if (!isPlainObject(c.events) || !isPlainObject(c.events.defaultQueues)) {
    errors.push('events.defaultQueues must be an object of control Region to queue name');
  } else {
    for (const [region, name] of Object.entries(c.events.defaultQueues)) {
      if (!isControlRegion(region)) errors.push(`events.defaultQueues.${region} names no control Region`);
      if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
        errors.push(`events.defaultQueues.${region} must be a queue name (1-80 of A-Z a-z 0-9 _ -)`);
      }
    }
  }
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
