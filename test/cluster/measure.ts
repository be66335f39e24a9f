/**
 * What the cluster tests measure from outside the processes: the Chime calls per second the emulator saw
 * (sampled through its admin API, GET /_emulator/state, as an operator's dashboard would), and which worker
 * process made how many calls (each worker's own Prometheus counter chime_calls_total).
 */
import type { EmulatorState } from '../../emulator';

export interface CallSample {
  /** When the answer arrived. */
  atMs: number;
  /** When it was asked for: the counts were read between the two. */
  sentAtMs: number;
  calls: number;
  throttled: number;
}

export interface CallRecorder {
  /** Stops sampling and returns the samples. */
  stop(): Promise<CallSample[]>;
}

async function emulatorState(endpoint: string): Promise<EmulatorState> {
  const res = await fetch(`${endpoint}/_emulator/state`);
  if (!res.ok) throw new Error(`GET ${endpoint}/_emulator/state: HTTP ${res.status}`);
  return (await res.json()) as EmulatorState;
}

export function recordCalls(endpoint: string, intervalMs = 250): CallRecorder {
  const samples: CallSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sentAtMs = Date.now();
      const { totals } = await emulatorState(endpoint);
      samples.push({ atMs: Date.now(), sentAtMs, calls: totals.calls, throttled: totals.throttled });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

export interface CallRate {
  calls: number;
  /** From the first to the last sample in which the count moved. */
  busySeconds: number;
  /** calls / busySeconds. */
  averagePerSecond: number;
  /**
   * The highest rate over any window of `windowSeconds` (between samples at least that far apart), each window
   * timed from one sample's request to the other's answer: a stalled round trip (a loaded machine) cannot make
   * a window look shorter than the time its calls had.
   */
  peakPerSecond: number;
  windowSeconds: number;
}

export function callRate(samples: CallSample[], windowSeconds: number): CallRate {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) throw new Error('no samples');
  const moving = samples.filter((s, i) => i > 0 && s.calls !== samples[i - 1]?.calls);
  const start = samples[Math.max(0, samples.indexOf(moving[0] ?? first) - 1)] ?? first;
  const end = moving[moving.length - 1] ?? last;
  const busySeconds = Math.max(0.001, (end.atMs - start.atMs) / 1000);
  const calls = end.calls - start.calls;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const from = samples[i];
    if (!from) continue;
    const to = samples.find((s) => s.atMs - from.atMs >= windowSeconds * 1000);
    if (!to) break;
    peak = Math.max(peak, (to.calls - from.calls) / ((to.atMs - from.sentAtMs) / 1000));
  }
  return { calls, busySeconds, averagePerSecond: calls / busySeconds, peakPerSecond: peak, windowSeconds };
}

/**
 * One worker's chime_calls_total, summed over operations: calls that succeeded, and all of them (a call that
 * never reached the service, e.g. a dropped connection, counts here but not at the emulator).
 */
export async function workerChimeCalls(metricsUrl: string): Promise<{ succeeded: number; all: number }> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`GET ${metricsUrl}: HTTP ${res.status}`);
  const out = { succeeded: 0, all: 0 };
  for (const line of (await res.text()).split('\n')) {
    const m = /^chime_calls_total\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m?.[2]) continue;
    out.all += Number(m[2]);
    if (/outcome="success"/.test(m[1] ?? '')) out.succeeded += Number(m[2]);
  }
  return out;
}
