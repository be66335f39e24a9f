/**
 * The operator CLI (`npm run cli -- <command> ...`), a thin layer over WebinarClient. This is its entry point:
 * the command line parsed, the command checked offline and then run (commands.ts, action-commands.ts,
 * replay-command.ts), and what went wrong mapped to an exit code.
 *
 * Exit codes: 0 done; 2 usage or input error found before anything was sent (unknown command, missing file,
 * bad CSV row, invalid spec or argument); 1 refused by Temporal or the workflow (unknown webinar, rejected
 * action, conflicting webinar ID, server unreachable, no attendance report yet).
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { formatFieldErrors } from '../../domain/validation/fields';
import { calendarConfigFromEnv, WebinarOverCommittedError } from '../library/calendar';
import {
  WebinarActionRejectedError,
  WebinarConflictError,
  WebinarInputError,
  WebinarNotFoundError,
} from '../library/errors';
import { WebinarClient } from '../library/webinar-client';
import { ConfigError } from '../temporal/connection';
import { parseCommandLine, prepareCommand } from './commands';
import { UsageError } from './input';
import { PatchNotReadyError } from '../library/patch-readiness';
import { ReplayGateError } from './replay-command';
import { AttendanceReportMissingError } from './report-command';
import { runMain } from './run-main';
import { COMMANDS, USAGE } from './usage';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** replay: a prebuilt bundle of the workflows (tests bundle once); default: bundle ../workflows. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** Step 4: the exit code and message for what went wrong. */
function exitCodeFor(command: string, e: unknown, err: (text: string) => void): number {
  if (e instanceof UsageError || e instanceof ConfigError) {
    err(`${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof WebinarInputError) {
    err(`${formatFieldErrors(e.errors, e.message.replace(/^Invalid (.*?):.*$/s, '$1'))}\n`);
    return EXIT_USAGE;
  }
  if (
    e instanceof WebinarOverCommittedError ||
    e instanceof WebinarNotFoundError ||
    e instanceof WebinarActionRejectedError ||
    e instanceof WebinarConflictError ||
    e instanceof ReplayGateError ||
    e instanceof AttendanceReportMissingError
  ) {
    err(`${e.message}\n`);
    return EXIT_REJECTED;
  }
  if (e instanceof PatchNotReadyError) {
    // The verdict is printed already.
    return EXIT_REJECTED;
  }
  err(`${command} failed: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT_REJECTED;
}

/** Runs one CLI invocation; returns the exit code (never calls process.exit). */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  const env = io.env ?? process.env;
  const print = (text: string): void => out(`${text}\n`);

  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    return exitCodeFor('cli', e, err);
  }
  const { values, positionals } = parsed;
  const [commandName, ...args] = positionals;
  if (values.help || commandName === undefined || commandName === 'help') {
    (commandName === undefined && !values.help ? err : out)(`${USAGE}\n`);
    return commandName === undefined && !values.help ? EXIT_USAGE : EXIT_OK;
  }
  if (!COMMANDS.includes(commandName)) {
    err(`Unknown command "${commandName}". Commands: ${COMMANDS.filter((c) => c !== 'help').join(', ')}\n`);
    return EXIT_USAGE;
  }
  const command = commandName;

  let client: WebinarClient | undefined;
  const connect = async (): Promise<WebinarClient> => {
    client ??= await WebinarClient.connect(
      { address: values.address, namespace: values.namespace, taskQueue: values['task-queue'] },
      env,
      { calendar: calendarConfigFromEnv(env) },
    );
    return client;
  };
  try {
    // Step 2: everything that can be checked without a server is checked first. Step 3: run it.
    const run = await prepareCommand({
      command,
      args,
      values,
      env,
      print,
      write: out,
      connect,
      ...(io.workflowBundle ? { workflowBundle: io.workflowBundle } : {}),
    });
    await run();
    return EXIT_OK;
  } catch (e) {
    return exitCodeFor(command, e, err);
  } finally {
    await client?.close();
  }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
