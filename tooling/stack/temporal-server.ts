/**
 * The real Temporal server as one owned process (all four services), started from the config in its root
 * folder. It can be killed (SIGKILL, as a crash) and started again on the same ports and database: that is how
 * the cluster tests prove a webinar survives a server outage.
 */
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { spawnOwned, tail, type OwnedProcess } from './owned-process';
import { CONFIG_ENV } from './server-config';

export interface TemporalServerProcess {
  address: string;
  process(): OwnedProcess | undefined;
  /** Starts the server (again) and resolves once its frontend reports SERVING. */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM), SIGKILL after the grace. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, no shutdown. */
  kill(): Promise<void>;
}

export interface TemporalServerProcessOptions {
  binary: string;
  root: string;
  address: string;
  onOutput?: (chunk: string) => void;
}

/** Polls the frontend's gRPC health check until SERVING, or fails with the server's last output. */
async function waitServing(address: string, server: OwnedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) break;
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        const { status } = await connection.healthService.check({
          service: 'temporal.api.workflowservice.v1.WorkflowService',
        });
        if (status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) return;
        last = `health status ${String(status)}`;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `Temporal server on ${address} did not become SERVING (${last}):\n${tail(server.output())}`,
  );
}

export function temporalServerProcess(options: TemporalServerProcessOptions): TemporalServerProcess {
  let current: OwnedProcess | undefined;
  return {
    address: options.address,
    process: () => current,
    async start() {
      if (current && current.child.exitCode === null && current.child.signalCode === null) {
        throw new Error('the Temporal server is already running');
      }
      current = spawnOwned(
        options.binary,
        ['--root', options.root, '--config', 'config', '--env', CONFIG_ENV, '--allow-no-auth', 'start'],
        { name: 'Temporal server', cwd: options.root, onOutput: options.onOutput },
      );
      await waitServing(options.address, current, 120_000);
    },
    async stop() {
      await current?.stop('SIGTERM', 20_000);
    },
    async kill() {
      await current?.stop('SIGKILL', 0);
    },
  };
}
