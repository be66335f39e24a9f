/**
 * The join API's Prometheus metrics, in a registry of its own (GET /metrics). Labels are outcomes and flows
 * only: never a token, a service token's secret, an externalUserId or a JoinToken.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every answer POST /v1/join gives, as a metric label and a log field. */
export const JOIN_OUTCOMES = [
  'joined',
  'refused',
  'unauthorized',
  'invalid',
  'too-large',
  'rate-limited',
  'busy',
  'not-yet',
  'gone',
  'unavailable',
  'error',
] as const;
export type JoinOutcome = (typeof JOIN_OUTCOMES)[number];
export type JoinFlow = 'link' | 'service';

export interface JoinApiMetrics {
  registry: Registry;
  answered(outcome: JoinOutcome, flow: JoinFlow, seconds: number): void;
  inFlight: Gauge;
  /** describe() calls made for the published phase (what the per-webinar cache saves). */
  phaseReads: Counter;
}

export function joinApiMetrics(): JoinApiMetrics {
  const registry = new Registry();
  const answers = new Counter({
    name: 'join_api_answers_total',
    help: 'POST /v1/join answers by outcome and flow (link or service)',
    labelNames: ['outcome', 'flow'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'join_api_answer_seconds',
    help: 'Time to answer POST /v1/join, by outcome',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'join_api_in_flight',
    help: 'POST /v1/join requests being answered',
    registers: [registry],
  });
  const phaseReads = new Counter({
    name: 'join_api_phase_reads_total',
    help: "describe() calls made to read webinars' published phase",
    registers: [registry],
  });
  return {
    registry,
    answered(outcome, flow, seconds) {
      answers.inc({ outcome, flow });
      latency.observe({ outcome }, seconds);
    },
    inFlight,
    phaseReads,
  };
}
