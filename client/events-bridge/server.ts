/**
 * The bridge's own HTTP port: `GET /healthz` (200 while it polls, 503 once it stops) and `GET /metrics`
 * (Prometheus text). Nothing else: the bridge takes no requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface RunningBridgeServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startBridgeServer(options: {
  port: number;
  host: string;
  registry: Registry;
  healthy: () => boolean;
}): Promise<RunningBridgeServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'application/json' }).end('{"error":"method"}');
    } else if (path === '/healthz') {
      const ok = options.healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ ok }));
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': options.registry.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not-found"}');
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${String(port)}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
