/**
 * The join benchmark's load, in its own process so that the join API's process serves and does nothing else:
 * reads `{url, concurrency, requests: [{method, path, body?, authorization?}]}` as JSON on stdin, sends every
 * request over keep-alive connections, `concurrency` at a time, and prints `{wallMs, latenciesMs, statuses}`.
 */
import * as http from 'node:http';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  authorization?: string;
}

interface LoadInput {
  url: string;
  concurrency: number;
  requests: LoadRequest[];
}

export interface LoadOutput {
  wallMs: number;
  latenciesMs: number[];
  statuses: Record<string, number>;
}

function send(agent: http.Agent, base: URL, r: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        headers: {
          ...(r.body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) }
            : {}),
          ...(r.authorization ? { authorization: r.authorization } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

async function run(input: LoadInput): Promise<LoadOutput> {
  const base = new URL(input.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.concurrency });
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      for (let i = next++; i < input.requests.length; i = next++) {
        const r = input.requests[i];
        if (!r) continue;
        const t0 = performance.now();
        const status = await send(agent, base, r);
        latenciesMs.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  return { wallMs, latenciesMs, statuses };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadInput;
  process.stdout.write(JSON.stringify(await run(input)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
