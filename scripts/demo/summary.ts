/**
 * The demo's summary (scripts/demo.ts, step 5): Chime calls by operation from the emulator's counters, the
 * phases' durations as the demo saw them, and what was left behind.
 */
import type { WebinarPhase, WebinarSpec } from '../../domain/types';
import type { RunningEmulator } from '../../emulator';

export interface DemoSummary {
  webinarId: string;
  attendees: number;
  wallSeconds: number;
  /** Seconds from first seeing a phase to first seeing the next; none for the final phase. */
  phases: { phase: WebinarPhase; seconds?: number }[];
  calls: { operation: string; calls: number; succeeded: number; throttled: number; failed: number }[];
  totalCalls: number;
  throttled: number;
  meetingsLeft: number;
  registered: number;
  failed: number;
}

function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatSummary(s: DemoSummary): string {
  const calls = table(
    ['Chime operation', 'calls', 'ok', 'throttled', 'failed'],
    [
      ...s.calls.map((c) => [
        c.operation,
        String(c.calls),
        String(c.succeeded),
        String(c.throttled),
        String(c.failed),
      ]),
      ['total', String(s.totalCalls), '', String(s.throttled), ''],
    ],
    [false, true, true, true, true],
  );
  const phases = table(
    ['phase', 'seconds'],
    s.phases.map((p) => [p.phase, p.seconds === undefined ? '-' : p.seconds.toFixed(1)]),
    [false, true],
  );
  return [
    '',
    `Summary of webinar ${s.webinarId}: ${s.attendees} attendees, ${s.registered} registered, ${s.failed} failed`,
    '',
    calls,
    '',
    phases,
    '',
    '"failed" counts error responses, e.g. NotFound from DeleteMeeting for a replica that ended with its primary',
    '(teardown treats NotFound as already deleted).',
    `Throttled responses: ${s.throttled}`,
    `Meetings left in the emulator: ${s.meetingsLeft}`,
    `Wall time: ${s.wallSeconds.toFixed(1)} s`,
  ].join('\n');
}

/** The summary from the emulator's counters and the phases seen. */
export function summarize(
  spec: WebinarSpec,
  emulator: RunningEmulator,
  seen: Map<WebinarPhase, number>,
  outcome: { attendees: { registered: number; failed: number } },
  t0: number,
): DemoSummary {
  const phaseOrder = [...seen.entries()].sort((a, b) => a[1] - b[1]);
  const state = emulator.state();
  const calls = Object.entries(state.operations)
    .filter(([, c]) => c.calls > 0)
    .map(([operation, c]) => ({ operation, ...c }))
    .sort((a, b) => b.calls - a.calls);
  return {
    webinarId: spec.webinarId,
    attendees: spec.attendees.length,
    wallSeconds: (Date.now() - t0) / 1000,
    phases: phaseOrder.map(([phase, at], i) => {
      const next = phaseOrder[i + 1]?.[1];
      return next === undefined ? { phase } : { phase, seconds: (next - at) / 1000 };
    }),
    calls,
    totalCalls: state.totals.calls,
    throttled: state.totals.throttled,
    meetingsLeft: state.meetings.length,
    registered: outcome.attendees.registered,
    failed: outcome.attendees.failed,
  };
}
