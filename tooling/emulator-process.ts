/**
 * The emulator in a process of its own (`emulator/main.ts`, as `npm run emulator` runs it), driven over its admin
 * API. Chime is never in the worker's process in production: a benchmark that measures the worker's latency under
 * load runs the emulator here, so the emulator's work does not wait on the worker's event loop, nor the reverse.
 */
import { join } from 'node:path';
import type { DeepPartial, EmulatorConfig, EmulatorCounters } from '../emulator';
import { spawnOwned, tail } from './stack/owned-process';
import { projectRoot } from './temporal-servers';

export interface EmulatorProcess {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  pid: number;
  /** GET /_emulator/counters: the call counters, without the meetings. */
  counters(): Promise<EmulatorCounters>;
  /** PUT /_emulator/config: deep-merges the patch; rejects, naming the field, when the emulator refuses it. */
  configure(patch: DeepPartial<EmulatorConfig>): Promise<EmulatorConfig>;
  /** SIGTERM (the emulator closes its server), SIGKILL after 5 s. */
  close(): Promise<void>;
}

const STARTUP_MS = 60_000;
const LISTENING = /emulator listening on (http:\/\/\S+)/;

/** Starts emulator/main.ts on a free port, then applies `config`; the process dies with this one. */
export async function startEmulatorProcess(
  config: DeepPartial<EmulatorConfig> = {},
): Promise<EmulatorProcess> {
  const root = projectRoot();
  const owned = spawnOwned(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'emulator', 'main.ts'), '--port', '0'],
    {
      name: 'emulator',
      cwd: root,
      // No admin token: the port listens on 127.0.0.1 only, for this process's run.
      env: { ...process.env, CHIME_EMULATOR_ADMIN_TOKEN: '', CHIME_EMULATOR_HOST: '127.0.0.1' },
    },
  );
  try {
    await owned.waitFor(LISTENING, STARTUP_MS);
  } catch (e) {
    await owned.stop('SIGKILL');
    throw e;
  }
  const endpoint = LISTENING.exec(owned.output())?.[1] ?? '';
  const admin = async <T>(method: 'GET' | 'PUT', route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${endpoint}/_emulator/${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} /_emulator/${route}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const running: EmulatorProcess = {
    endpoint,
    pid: owned.child.pid ?? 0,
    counters: () => admin<EmulatorCounters>('GET', 'counters'),
    configure: (patch) => admin<EmulatorConfig>('PUT', 'config', patch),
    async close() {
      await owned.stop('SIGTERM', 5_000);
    },
  };
  try {
    await running.configure(config);
  } catch (e) {
    await running.close();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${tail(owned.output())}`);
  }
  return running;
}
