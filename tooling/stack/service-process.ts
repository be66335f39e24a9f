/**
 * One of the project's services (the join API, the events bridge) as the stack runs it: its production entry
 * point under ts-node, configured only through its environment, ready once it logs that it listens; killed if
 * it does not within two minutes.
 */
import { join } from 'node:path';
import { projectRoot } from '../temporal-servers';
import { spawnOwned, type OwnedProcess } from './owned-process';

/** The JSON log line both services write once they listen. */
const LISTENING = /"event":"listening"/;

export async function startServiceProcess(options: {
  name: string;
  /** The entry point, from the project root: e.g. ['client', 'join-api', 'main.ts']. */
  entry: string[];
  env: NodeJS.ProcessEnv;
  onOutput?: (chunk: string) => void;
}): Promise<OwnedProcess> {
  const child = spawnOwned(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(...options.entry)],
    {
      name: options.name,
      cwd: projectRoot(),
      env: { ...process.env, ...options.env },
      onOutput: options.onOutput,
    },
  );
  try {
    await child.waitFor(LISTENING, 120_000);
  } catch (err) {
    await child.stop('SIGKILL', 0);
    throw err;
  }
  return child;
}
