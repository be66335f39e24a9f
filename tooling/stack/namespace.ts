/**
 * The namespace and the contract's search attributes on a fresh cluster, created with the `temporal` CLI as
 * docker-compose.yml's one-shot service does (the same resolver as the dev server finds the CLI). Then waits
 * until the frontend itself accepts a query on every attribute: the CLI returns before caches have caught up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { webinarSearchAttributeKeys } from '../../domain/search-attributes';
import { resolveTemporalCli } from '../temporal-servers';

const run = promisify(execFile);

/** The CLI's spelling of each search attribute type (`--type`). */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Workflow histories are kept this long after a webinar closes (auto-setup's default is 24 h). */
export const NAMESPACE_RETENTION = '72h';

export function temporalCliPath(): string {
  const resolved = resolveTemporalCli();
  if (resolved.executable.type !== 'existing-path') {
    throw new Error(`the \`temporal\` CLI was not found. Tried:\n  - ${resolved.tried.join('\n  - ')}`);
  }
  return resolved.executable.path;
}

async function cli(address: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(temporalCliPath(), [...args, '--address', address], { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`temporal ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

async function retry<T>(timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** Idempotent: an existing namespace or attribute (a restarted stack on the same database) is kept. */
export async function registerNamespace(address: string, namespace: string): Promise<void> {
  try {
    await cli(address, ['operator', 'namespace', 'describe', '--namespace', namespace]);
  } catch {
    await cli(address, [
      'operator',
      'namespace',
      'create',
      '--namespace',
      namespace,
      '--retention',
      NAMESPACE_RETENTION,
    ]);
  }
  // A new namespace reaches the frontend's namespace cache some seconds after it is written.
  const existing = await retry(120_000, () =>
    cli(address, ['operator', 'search-attribute', 'list', '--namespace', namespace, '-o', 'json']),
  );
  // One call per missing attribute: a stack restarted on the same database keeps what it registered.
  for (const key of webinarSearchAttributeKeys) {
    if (existing.includes(`"${key.name}"`)) continue;
    await cli(address, [
      'operator',
      'search-attribute',
      'create',
      '--namespace',
      namespace,
      '--name',
      key.name,
      '--type',
      CLI_TYPE[key.type],
    ]);
  }
  await waitForSearchAttributes(address, namespace, 60_000);
}

async function waitForSearchAttributes(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const query = webinarSearchAttributeKeys.map((k) => `${k.name} IS NOT NULL`).join(' AND ');
  const deadline = Date.now() + timeoutMs;
  let last = '';
  try {
    while (Date.now() < deadline) {
      try {
        await client.workflow.count(query);
        return;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await connection.close();
  }
  throw new Error(`namespace ${namespace} never accepted a query on the webinar search attributes: ${last}`);
}
