/**
 * Prometheus metrics of the worker, served on METRICS_PORT at /metrics as one scrape:
 *
 * - the Temporal runtime's own metrics (workers, pollers, task latencies, activity outcomes), which Core
 *   exports on an internal loopback address (`telemetryOptions.metrics.prometheus.bindAddress`) and this
 *   server relays, so a single port serves both;
 * - the project's own, from a small prom-client registry:
 *   - `chime_calls_total{operation, control_region, outcome}`: every Chime SDK Meetings call an activity made,
 *     outcome `success` or the AWS error name (e.g. `ThrottlingException`);
 *   - `chime_throttled_calls_total{operation, control_region}`: the ThrottlingException subset;
 *   - `chime_call_duration_seconds{operation, control_region}`: call latency;
 *   - `webinars{phase}`: webinars in each phase, counted every METRICS_PHASE_INTERVAL_SECONDS with a visibility
 *     count query on the WebinarPhase search attribute (the same numbers `npm run cli -- list --phase P` shows;
 *     closed webinars count until the namespace's retention removes them). Every worker process reports the
 *     same namespace-wide numbers: aggregate with max(), not sum().
 *
 * Labels never carry a JoinToken, ExternalUserId or ExternalMeetingId, and every label value comes from a fixed
 * list, so no input can grow the series count: operation names (the activities), control Regions
 * (domain/regions.ts; anything else is counted as `invalid`, before the activity itself rejects it), the AWS
 * error names the activities know (activities/errors.ts; anything else is `Error`) and phases.
 *
 * The endpoint listens on METRICS_HOST, default 127.0.0.1: containers set METRICS_HOST=0.0.0.0 explicitly (the
 * Dockerfile and docker-compose.yml), so a worker started on a laptop or a shared host does not expose it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AWS_ERROR_RULES } from '../activities/errors';
import type { ChimeActivities } from '../domain/chime';
import { isControlRegion } from '../domain/regions';
import { WEBINAR_PHASES } from '../domain/phases';
import { WEBINAR_WORKFLOW_TYPE } from '../workflows/definitions';

export { WEBINAR_PHASES };

export const THROTTLE_ERROR = 'ThrottlingException';

export interface WorkerMetrics {
  registry: Registry;
  chimeCalls: Counter<'operation' | 'control_region' | 'outcome'>;
  chimeThrottled: Counter<'operation' | 'control_region'>;
  chimeDuration: Histogram<'operation' | 'control_region'>;
  webinars: Gauge<'phase'>;
  /** Wraps every Chime activity to count its calls (pass to createWebinarWorkers' wrapActivities). */
  wrapActivities(activities: ChimeActivities, defaultRegion: string): ChimeActivities;
  /** Counts webinars per phase now (visibility); the poller calls it on an interval. */
  countPhases(client: Client): Promise<void>;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';
/** The control_region label of a call whose Region is not a control Region. */
export const INVALID_REGION_LABEL = 'invalid';
/** Outcome labels besides `success`: the AWS errors the activities classify, plus the activities' own. */
const KNOWN_OUTCOMES: ReadonlySet<string> = new Set([...Object.keys(AWS_ERROR_RULES), 'MalformedResponse']);

/** The outcome label of a failed call: a known AWS error name the activity reported, else `Error`; never a message. */
export function outcomeOf(err: unknown): string {
  const name =
    err instanceof ApplicationFailure && err.type ? err.type : err instanceof Error ? err.name : '';
  return KNOWN_OUTCOMES.has(name) ? name : 'Error';
}

/** The control_region label: a known control Region, the worker's default when none is named, else `invalid`. */
export function regionLabel(controlRegion: unknown, defaultRegion: string): string {
  const region = controlRegion === undefined ? defaultRegion : controlRegion;
  return typeof region === 'string' && isControlRegion(region) ? region : INVALID_REGION_LABEL;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  const chimeCalls = new Counter({
    name: 'chime_calls_total',
    help: 'Chime SDK Meetings calls made by activities, by operation, control Region and outcome',
    labelNames: ['operation', 'control_region', 'outcome'] as const,
    registers: [registry],
  });
  const chimeThrottled = new Counter({
    name: 'chime_throttled_calls_total',
    help: 'Chime SDK Meetings calls answered with ThrottlingException',
    labelNames: ['operation', 'control_region'] as const,
    registers: [registry],
  });
  const chimeDuration = new Histogram({
    name: 'chime_call_duration_seconds',
    help: 'Latency of Chime SDK Meetings calls made by activities',
    labelNames: ['operation', 'control_region'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const webinars = new Gauge({
    name: 'webinars',
    help: 'Webinar workflows in the namespace by phase (visibility count on WebinarPhase)',
    labelNames: ['phase'] as const,
    registers: [registry],
  });

  return {
    registry,
    chimeCalls,
    chimeThrottled,
    chimeDuration,
    webinars,
    wrapActivities(activities, defaultRegion) {
      const wrapped: Record<string, unknown> = {};
      for (const [operation, fn] of Object.entries(activities) as [
        string,
        (input: unknown) => Promise<unknown>,
      ][]) {
        wrapped[operation] = async (input: unknown): Promise<unknown> => {
          const region = regionLabel(
            (input as { controlRegion?: unknown } | undefined)?.controlRegion,
            defaultRegion,
          );
          const stop = chimeDuration.startTimer({ operation, control_region: region });
          try {
            const result = await fn(input);
            chimeCalls.inc({ operation, control_region: region, outcome: 'success' });
            return result;
          } catch (err) {
            const outcome = outcomeOf(err);
            chimeCalls.inc({ operation, control_region: region, outcome });
            if (outcome === THROTTLE_ERROR) chimeThrottled.inc({ operation, control_region: region });
            throw err;
          } finally {
            stop();
          }
        };
      }
      return wrapped as unknown as ChimeActivities;
    },
    async countPhases(client) {
      const counts = await Promise.all(
        WEBINAR_PHASES.map(async (phase) => {
          const { count } = await client.workflow.count(
            `WorkflowType = '${WEBINAR_WORKFLOW_TYPE}' AND WebinarPhase = '${phase}'`,
          );
          return [phase, count] as const;
        }),
      );
      for (const [phase, count] of counts) webinars.set({ phase }, count);
    },
  };
}

/** Runs countPhases now and every `intervalMs`; failures are reported, never thrown. Returns a stop function. */
export function pollPhases(
  metrics: WorkerMetrics,
  client: Client,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => void {
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    metrics.countPhases(client).catch(onError);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** A free loopback port for the runtime's internal Prometheus exporter. */
export async function freeLoopbackPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface MetricsServer {
  port: number;
  /** The address it listens on. */
  host: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics (the project's registry followed by the runtime's metrics relayed from
 * `runtimeMetricsUrl`) and GET /healthz.
 */
export async function serveMetrics(
  metrics: WorkerMetrics,
  port: number,
  runtimeMetricsUrl?: string,
  host = DEFAULT_METRICS_HOST,
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('GET /metrics or /healthz\n');
      return;
    }
    const render = async (): Promise<string> => {
      const own = await metrics.registry.metrics();
      if (!runtimeMetricsUrl) return own;
      try {
        const response = await fetch(runtimeMetricsUrl);
        return `${own}\n${await response.text()}`;
      } catch {
        return `${own}\n# Temporal runtime metrics unavailable from ${runtimeMetricsUrl}\n`;
      }
    };
    render().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    host: (server.address() as AddressInfo).address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
