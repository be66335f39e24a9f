/**
 * The events bridge's process (`npm run events-bridge`): its settings from the environment (exit 2 naming
 * every bad variable, config.ts), a Temporal client with the workers' data converter (a Signal's payload is
 * encoded as theirs), the events queue, /healthz and /metrics, and a clean stop on SIGINT or SIGTERM: polling
 * stops, what waits is signalled and deleted, then it exits. Killed outright, it loses nothing: what it had not
 * deleted comes again after its visibility timeout. The bridge itself is bridge.ts beside this file.
 */
import { exitOnStopSignals, runMain } from '../cli/run-main';
import { isNotFound } from '../library/errors';
import { ConfigError, connectClient } from '../temporal/connection';
import { startEventsBridge } from './bridge';
import { readEventsBridgeConfig, type EventsBridgeConfig } from './config';
import { jsonLog } from './log';
import { bridgeMetrics } from './metrics';
import { eventsQueue } from './queue';
import { redriveWarnings } from './redrive-check';
import { startBridgeServer } from './server';

const EXIT_CONFIG = 2;
/** How long a stop may take to send and delete what waits; compose gives the container more. */
const FLUSH_TIMEOUT_MS = 15_000;

async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | void> {
  let config: EventsBridgeConfig;
  try {
    config = readEventsBridgeConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${err.message}\nSee docs/meeting-events.md ("The events bridge") for every variable.\n`,
      );
      return EXIT_CONFIG;
    }
    throw err;
  }
  const log = jsonLog(config.logLevel, (line) => process.stdout.write(line));
  const client = await connectClient(config.temporal);
  // A namespace that does not exist answers NOT_FOUND, which the client reports as a missing workflow: the
  // bridge would delete every event as late. Checked once here instead.
  try {
    await client.workflowService.describeNamespace({ namespace: config.temporal.namespace });
  } catch (err) {
    if (isNotFound(err)) {
      process.stderr.write(`TEMPORAL_NAMESPACE: namespace ${config.temporal.namespace} does not exist\n`);
      await client.connection.close();
      return EXIT_CONFIG;
    }
    // Not allowed to describe it (an API key scoped to workflows), or not reachable yet: Signals will tell.
    log({
      level: 'warn',
      event: 'namespace-unchecked',
      errorKind: err instanceof Error ? err.name : typeof err,
    });
  }
  const queue = eventsQueue(config.sqs);
  let redrive: string | undefined;
  try {
    redrive = await queue.redrivePolicy();
  } catch (err) {
    if ((err as Error).name !== 'QueueDoesNotExist') throw err;
    process.stderr.write(`EVENTS_QUEUE_URL: no such queue (${config.sqs.queueUrl})\n`);
    await client.connection.close();
    queue.close();
    return EXIT_CONFIG;
  }
  for (const warning of redriveWarnings(redrive, config.tuning.maxTries, config.sqs.dlqUrl)) {
    log({ level: 'warn', event: 'redrive-policy', warning });
  }
  const metrics = bridgeMetrics();
  let polling = true;
  const server = await startBridgeServer({
    port: config.port,
    host: config.host,
    registry: metrics.registry,
    healthy: () => polling,
  });
  const bridge = startEventsBridge({ client, queue, tuning: config.tuning, metrics, log });
  log({ level: 'info', event: 'listening', url: server.url, queue: config.sqs.queueUrl });
  exitOnStopSignals(async () => {
    polling = false;
    await bridge.stop({ flush: true, timeoutMs: FLUSH_TIMEOUT_MS });
    await Promise.all([server.close(), client.connection.close()]);
    queue.close();
  });
}

// main() returns once the bridge polls: it keeps polling until a signal stops it.
if (require.main === module) runMain(() => main(), { errors: 'message' });
