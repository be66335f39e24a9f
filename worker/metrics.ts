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
 * Labels never carry a JoinToken, ExternalUserId or ExternalMeetingId: only operation names, Regions, AWS error
 * names and phases.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ChimeActivities } from '../domain/chime';
import { WEBINAR_PHASES } from '../client/webinar-client';
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

/** The outcome label of a failed call: the AWS error name the activity reported, never a message. */
export function outcomeOf(err: unknown): string {
  if (err instanceof ApplicationFailure && err.type) return err.type;
  if (err instanceof Error && /^[A-Za-z]+$/.test(err.name)) return err.name;
  return 'Error';
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
          const scope = input as { controlRegion?: unknown } | undefined;
          const region = typeof scope?.controlRegion === 'string' ? scope.controlRegion : defaultRegion;
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
  host = '0.0.0.0',
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
