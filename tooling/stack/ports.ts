/**
 * Free loopback ports, several at once: each is held open until all are found, so they are distinct (a
 * one-at-a-time helper such as worker/metrics.ts freeLoopbackPort may hand out the same port twice).
 *
 * The Temporal server stores its services' ports in PostgreSQL as `smallint` (cluster_membership), so its
 * ports must be below 32768 — under the kernel's ephemeral range, which is why they are drawn from a range
 * here instead of asking the kernel for port 0.
 */
import { createServer, type Server } from 'node:net';

export const SERVER_PORT_RANGE = { min: 20_000, max: 32_767 } as const;

function listen(server: Server, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : undefined);
    });
  });
}

/** `count` distinct free ports: from the kernel, or drawn at random from `range` when given. */
export async function freePorts(count: number, range?: { min: number; max: number }): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempts = 0; ports.length < count; attempts++) {
      if (attempts > count * 50) throw new Error(`no ${count} free ports found`);
      const server = createServer();
      const wanted = range ? range.min + Math.floor(Math.random() * (range.max - range.min + 1)) : 0;
      const port = await listen(server, wanted);
      if (port === undefined) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
