/**
 * `npm run cli -- replay`: the arguments of the replay gate, checked before anything is sent (exit 2), and the
 * run that prints one line per history and fails (exit 1, ReplayGateError) naming each one that does not replay.
 * The replaying itself is client/library/replay.ts.
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { exact, UsageError } from './input';
import { dataConverterFromEnvironment } from '../temporal/data-converter';
import {
  DEFAULT_REPLAY_LIMIT,
  formatReplayReport,
  historiesFromCluster,
  historiesFromDir,
  installReplayRuntime,
  replayHistories,
  type HistoryToReplay,
} from '../library/replay';
import type { WebinarClient } from '../library/webinar-client';

export interface ReplayCommandOptions {
  args: string[];
  query?: string;
  limit?: string;
  dir?: string;
  json?: boolean;
  'allow-empty'?: boolean;
  env: NodeJS.ProcessEnv;
  print: (text: string) => void;
  connect: () => Promise<WebinarClient>;
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** `replay`: the pre-deploy gate (client/library/replay.ts). Fails (exit 1) naming each history that does not replay. */
export function prepareReplay(options: ReplayCommandOptions): () => Promise<void> {
  const { args, env, print, connect } = options;
  const values = options;
  exact(args, 0, 'replay --query "<visibility query>" [--limit N] | --dir <folder>');
  if ((values.query === undefined) === (values.dir === undefined)) {
    throw new UsageError(
      'replay needs exactly one of --query "<visibility query>" (from the cluster) or --dir <folder>',
    );
  }
  let limit = DEFAULT_REPLAY_LIMIT;
  if (values.limit !== undefined) {
    if (values.dir !== undefined) throw new UsageError('--limit applies to --query only');
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || limit < 1 || limit > 10_000) {
      throw new UsageError(`--limit ${values.limit} is not a whole number in 1-10000`);
    }
  }
  const dir = values.dir;
  let fromDir: HistoryToReplay[] | undefined;
  if (dir !== undefined) {
    try {
      fromDir = historiesFromDir(dir);
    } catch (e) {
      throw new UsageError(`--dir: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const query = values.query ?? '';
  // The histories' payloads were written with the cluster's codec, if any (PAYLOAD_ENCRYPTION_KEYS).
  const dataConverter = dataConverterFromEnvironment(env);
  return async () => {
    installReplayRuntime();
    const histories = fromDir ?? (await historiesFromCluster((await connect()).client, query, limit));
    if (histories.length === 0 && !values['allow-empty']) {
      throw new ReplayGateError(
        `No webinar histories ${dir !== undefined ? `in ${dir}` : `match ${JSON.stringify(query)}`}: nothing was checked (--allow-empty to accept)`,
      );
    }
    const outcomes = await replayHistories(histories, {
      ...(dataConverter ? { dataConverter } : {}),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    });
    print(values.json ? JSON.stringify(outcomes, null, 2) : formatReplayReport(outcomes));
    const failed = outcomes.filter((o) => o.error !== undefined);
    if (failed.length > 0)
      throw new ReplayGateError(`${failed.length} of ${outcomes.length} histories do not replay`);
  };
}

/** The gate found histories that do not replay (or none at all): exit 1, the report is already printed. */
export class ReplayGateError extends Error {}
