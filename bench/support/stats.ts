/** The benchmarks' arithmetic: percentiles, latency summaries, rounding and units. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}

export function latencyStats(samples: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : round((100 * part) / whole, 2);
}

export function mib(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}

export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Per-round figures in one cell: `a / b / c`. */
export const list = (values: number[]): string => values.join(' / ');
