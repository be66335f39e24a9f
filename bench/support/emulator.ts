/**
 * The Chime emulator as the benchmarks run it, its token bucket's rate, and what its counters say about a run.
 */
import { defaultConfig, type EmulatorConfig, type EmulatorCounters } from '../../emulator';
import { pct } from './stats';

/** The emulator as the benchmarks run it: its default (realistic) rate limits, 40 replicas per primary. */
export function realisticEmulatorConfig(): EmulatorConfig {
  const config = defaultConfig();
  config.limits.replicasPerPrimary = 40;
  return config;
}

export function emulatorRate(config: EmulatorConfig): { rate: number; burst: number } {
  // A call needs a token from its operation's bucket and from the account bucket: the smaller one binds.
  const op = config.rateLimits.perOperation;
  const acct = config.rateLimits.account;
  return { rate: Math.min(op.ratePerSecond, acct.ratePerSecond), burst: Math.min(op.burst, acct.burst) };
}

/** Throttled share of all calls the emulator answered, and per-operation counts, from its counters. */
export function emulatorCalls(s: EmulatorCounters): {
  calls: number;
  throttled: number;
  failed: number;
  throttledPct: number;
  meetingsCreated: number;
  attendeesCreated: number;
  byOperation: Record<string, { calls: number; throttled: number; failed: number }>;
} {
  const byOperation: Record<string, { calls: number; throttled: number; failed: number }> = {};
  for (const [op, c] of Object.entries(s.operations)) {
    byOperation[op] = { calls: c.calls, throttled: c.throttled, failed: c.failed };
  }
  return {
    calls: s.totals.calls,
    throttled: s.totals.throttled,
    failed: s.totals.failed,
    throttledPct: pct(s.totals.throttled, s.totals.calls),
    meetingsCreated: s.totals.meetingsCreated,
    attendeesCreated: s.totals.attendeesCreated,
    byOperation,
  };
}
