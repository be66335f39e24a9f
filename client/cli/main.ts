/**
 * The operator CLI (`npm run cli -- <command> ...`), a thin layer over WebinarClient.
 *
 * Exit codes: 0 done; 2 usage or input error found before anything was sent (unknown command, missing file,
 * bad CSV row, invalid spec or argument); 1 refused by Temporal or the workflow (unknown webinar, rejected
 * action, conflicting webinar ID, server unreachable).
 */
import { parseArgs } from 'node:util';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WebinarPhase, WebinarStatus } from '../../domain/types';
import { formatFieldErrors } from '../../domain/validation/fields';
import { OPERATOR_ACTIONS } from '../../domain/actions';
import {
  ACTION_COMMAND_USAGE,
  ACTION_COMMANDS,
  ACTION_EXAMPLE,
  ACTION_OPTIONS,
  prepareActionCommand,
  sendChecked,
} from './action-commands';
import { calendarConfigFromEnv, formatCalendar, WebinarOverCommittedError } from '../library/calendar';
import {
  between,
  exact,
  operatorActionNamed,
  parseActionArgument,
  parseAttendeesCsv,
  readSpecFile,
  UsageError,
} from './input';
import { ConfigError } from '../temporal/connection';
import { DEFAULT_REPLAY_LIMIT } from '../library/replay';
import { prepareReplay, ReplayGateError } from './replay-command';
import { WEBINAR_PHASES } from '../../domain/phases';
import type { WebinarStatusRead } from '../../domain/status-memo';
import {
  WebinarActionRejectedError,
  WebinarConflictError,
  WebinarInputError,
  WebinarNotFoundError,
} from '../library/errors';
import { WebinarClient } from '../library/webinar-client';
import type { WebinarSummary } from '../library/webinar-list';
import { checkWebinarSpec } from '../library/webinar-spec';
import { runMain } from './run-main';

export { parseAttendeesCsv, readSpecFile, UsageError };

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

/** `words` joined by ", " in lines of at most `width` characters, each indented by `indent` spaces. */
function wrapped(words: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, word] of words.entries()) {
    const piece = i < words.length - 1 ? `${word},` : word;
    if (line !== '' && indent + line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

export const USAGE = `Usage: npm run cli -- <command> [arguments] [options]

Commands:
  schedule <spec.json|spec.yaml>            start a webinar (idempotent: a retry returns the same webinar)
  status <webinarId> [--live] [--json]      phase, meetings, attendee counts from the published memo (no worker
                                            needed); --live asks the status query: meeting IDs, speakers,
                                            rejected actions
  attendee <webinarId> <externalUserId>     where an attendee was placed (meeting, attendee ID, Region)
${ACTION_COMMAND_USAGE}
  action <webinarId> <action> [argument]    any operator action of the table, its argument as one JSON object
                                            (default {}; docs/workflow.md lists each one's argument and phases):
${wrapped(OPERATOR_ACTIONS, 44, 110)}
                                            e.g. action w42 ${ACTION_EXAMPLE}
  cancel <webinarId>                        cancel the workflow (it tears down, then ends CANCELLED)
  list [--phase PHASE] [--from T] [--to T] [--json]
                                            webinars in the namespace, optionally in one phase and starting
                                            from T (inclusive) to T (exclusive), ISO-8601; counts from the memo
  export-history <webinarId> <file>         write the workflow history as JSON (for replay tests)
  replay --query "<visibility query>" [--limit N] | --dir <folder>
                                            the pre-deploy gate: replay webinar histories (from the cluster, the
                                            newest N matching, default ${DEFAULT_REPLAY_LIMIT}; or JSON files) on the current
                                            workflow code; exit 1 naming each one that does not replay

Options:
  --address host:port     Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)
  --namespace NAME        (default: TEMPORAL_NAMESPACE or "default")
  --task-queue NAME       webinar task queue for schedule (default: TEMPORAL_TASK_QUEUE or "webinars")
  --signal                send an operator action as a Signal (fire and forget) instead of an Update
  --json                  machine-readable output
  --allow-empty           replay: succeed when no history matches (default: exit 1, nothing was checked)
  -h, --help              this text
TLS, API key and payload encryption come from the environment as for the worker (docs/running.md).
schedule consults the capacity calendar (docs/capacity-calendar.md): WEBINAR_CALENDAR_POLICY warn (default),
refuse or least-committed; WEBINAR_CALENDAR_REGIONS the control Regions least-committed may choose from;
WEBINAR_CALENDAR_ADAPTIVE_LEAD on (default: an over-committed window starts provisioning earlier, up to 240 s) or off.
Exit codes: 0 done, 1 refused (unknown webinar, rejected action, conflict), 2 usage or invalid input.`;

/** The commands that are not an operator action's own (those come from the table). */
const OTHER_COMMANDS = [
  'schedule',
  'status',
  'attendee',
  'action',
  'cancel',
  'list',
  'export-history',
  'replay',
  'help',
] as const;
type OtherCommand = (typeof OTHER_COMMANDS)[number];

/** Every command, in the usage text's order. */
const COMMANDS: readonly string[] = [
  ...OTHER_COMMANDS.slice(0, 3),
  ...ACTION_COMMANDS.map(({ command }) => command.name),
  ...OTHER_COMMANDS.slice(3),
];

export function formatStatus(s: WebinarStatus & Partial<WebinarStatusRead>): string {
  if (s.source === 'memo') {
    // The published memo: counts and the primary's Region; IDs, replicas and rejections are in --live only.
    return [
      `Webinar ${s.webinarId}: ${s.phase} (generation ${s.generation})`,
      `  starts         ${s.startAt}`,
      `  ends           ${s.endAt}`,
      `  meetings       ${s.meetingCount ?? 0}${s.primary ? ` (primary in ${s.primary.region})` : ''}`,
      `  attendees      requested ${s.attendees.requested}, registered ${s.attendees.registered}, failed ${s.attendees.failed}`,
      `  presenters     ${formatPresenters(s)}`,
      `  speakers       ${s.speakerCount ?? 0}`,
      `  transcription  ${s.transcription}`,
      ...(s.lastError ? [`  last error     ${s.lastError}`] : []),
      `  published      ${s.updatedAt ?? '-'} (workflow time; --live for meeting IDs, speakers, rejected actions)`,
    ].join('\n');
  }
  const out = [
    `Webinar ${s.webinarId}: ${s.phase} (generation ${s.generation})`,
    `  starts         ${s.startAt}`,
    `  ends           ${s.endAt}`,
    `  primary        ${s.primary ? `${s.primary.meetingId} (${s.primary.region})` : '-'}`,
    `  replicas       ${s.replicas.length === 0 ? '-' : s.replicas.length}`,
    ...s.replicas.map((r) => `    ${r.region.padEnd(15)} ${r.meetingId}  ${r.attendees} attendees`),
    `  attendees      requested ${s.attendees.requested}, registered ${s.attendees.registered}, failed ${s.attendees.failed}`,
    `  presenters     ${formatPresenters(s)}`,
    `  speakers       ${s.speakers.length === 0 ? '-' : s.speakers.join(', ')}`,
    `  transcription  ${s.transcription}`,
  ];
  if (s.lastError) out.push(`  last error     ${s.lastError}`);
  if (s.rejected.length > 0) {
    out.push(`  rejected actions (${s.rejected.length}):`);
    for (const r of s.rejected) out.push(`    ${r.at}  ${r.action}: ${r.reason}`);
  }
  return out.join('\n');
}

/** Whether the webinar can start (its hosts and speakers registered); a worker older than the field says nothing. */
function formatPresenters(s: WebinarStatus): string {
  const p = (s as Partial<WebinarStatus>).presenters;
  if (!p) return '-';
  const counts = `requested ${p.requested}, registered ${p.registered}, failed ${p.failed}`;
  return `${s.presentersReady ? 'ready' : 'not ready'} (${counts})`;
}

export function formatList(rows: WebinarSummary[]): string {
  if (rows.length === 0) return 'No webinars match.';
  const header = ['WEBINAR', 'PHASE', 'STARTS', 'REGISTERED', 'FAILED', 'MEETINGS', 'WORKFLOW STATUS'];
  const body = rows.map((r) => [
    r.webinarId,
    r.phase ?? '-',
    r.startAt ?? '-',
    r.attendees ? `${r.attendees.registered}/${r.attendees.requested}` : '-',
    r.attendees ? String(r.attendees.failed) : '-',
    r.meetings !== undefined ? String(r.meetings) : '-',
    r.executionStatus,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const CLI_OPTIONS = {
  address: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  json: { type: 'boolean', default: false },
  signal: { type: 'boolean', default: false },
  live: { type: 'boolean', default: false },
  phase: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  query: { type: 'string' },
  limit: { type: 'string' },
  dir: { type: 'string' },
  'allow-empty': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type CliValues = ReturnType<
  typeof parseArgs<{ options: typeof CLI_OPTIONS; allowPositionals: true }>
>['values'] & { readonly [actionOption: string]: string | boolean | undefined };

/** What a command needs to run once everything checkable offline has been checked. */
interface CommandContext {
  command: string;
  args: string[];
  values: CliValues;
  env: NodeJS.ProcessEnv;
  print: (text: string) => void;
  /** Connects on first use; main() closes it. */
  connect: () => Promise<WebinarClient>;
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** Step 1: the command line, or a usage error (exit 2). */
function parseCommandLine(argv: string[]): { values: CliValues; positionals: string[] } {
  try {
    const options = { ...ACTION_OPTIONS, ...CLI_OPTIONS };
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
    return { values, positionals };
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
  }
}

/**
 * Step 2: checks a command's arguments and files without a server (exit 2 on a problem) and returns the step
 * that talks to Temporal.
 */
async function prepareCommand(ctx: CommandContext): Promise<() => Promise<void>> {
  const { command, args, values, print, connect } = ctx;
  const own = ACTION_COMMANDS.find((c) => c.command.name === command);
  if (own) return prepareActionCommand(ctx, own);
  let prepared: () => Promise<void>;

  switch (command as OtherCommand) {
    case 'schedule': {
      const [file = ''] = exact(args, 1, 'schedule <spec.json|spec.yaml>');
      const spec = await readSpecFile(file);
      checkWebinarSpec(spec);
      prepared = async () => {
        const r = await (await connect()).schedule(spec as never);
        if (values.json)
          print(
            JSON.stringify({
              webinarId: r.webinarId,
              workflowId: r.workflowId,
              runId: r.runId,
              created: r.created,
              ...(r.calendar ? { calendar: r.calendar } : {}),
            }),
          );
        else {
          print(
            r.created
              ? `Scheduled webinar ${r.webinarId} (workflow ${r.workflowId}, run ${r.runId})`
              : `Webinar ${r.webinarId} was already scheduled with this input (workflow ${r.workflowId}, run ${r.runId}); nothing changed`,
          );
          if (r.calendar) print(formatCalendar(r.calendar));
        }
      };
      break;
    }
    case 'status': {
      const [id = ''] = exact(args, 1, 'status <webinarId> [--live] [--json]');
      prepared = async () => {
        const s = await (await connect()).status(id, { live: values.live });
        print(values.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      };
      break;
    }
    case 'attendee': {
      const [id = '', user = ''] = exact(args, 2, 'attendee <webinarId> <externalUserId>');
      prepared = async () => {
        const a = await (await connect()).attendee(id, user);
        print(
          values.json
            ? JSON.stringify(a)
            : `${a.role} in ${a.region}: meeting ${a.meetingId}, attendee ${a.attendeeId}`,
        );
      };
      break;
    }
    case 'action': {
      const [id = '', name = '', argument] = between(
        args,
        2,
        3,
        'action <webinarId> <action> [argument JSON]',
      );
      const action = operatorActionNamed(name);
      prepared = sendChecked(ctx, id, action, parseActionArgument(action, argument));
      break;
    }
    case 'cancel': {
      const [id = ''] = exact(args, 1, 'cancel <webinarId>');
      prepared = async () => {
        await (await connect()).cancel(id);
        print(`Cancellation requested for webinar ${id}: it tears down its meetings, then ends CANCELLED`);
      };
      break;
    }
    case 'list': {
      exact(args, 0, 'list [--phase PHASE] [--from T] [--to T] [--json]');
      const phase = values.phase?.toUpperCase();
      if (phase !== undefined && !(WEBINAR_PHASES as readonly string[]).includes(phase)) {
        throw new UsageError(
          `--phase ${values.phase} is not a phase: use one of ${WEBINAR_PHASES.join(', ')}`,
        );
      }
      const window: { startsFrom?: string; startsBefore?: string } = {};
      for (const [flag, field] of [
        ['from', 'startsFrom'],
        ['to', 'startsBefore'],
      ] as const) {
        const value = values[flag];
        if (value === undefined) continue;
        if (Number.isNaN(Date.parse(value))) {
          throw new UsageError(`--${flag} ${value} is not an ISO-8601 date-time (e.g. 2026-05-01T15:00:00Z)`);
        }
        window[field] = value;
      }
      prepared = async () => {
        const rows = await (
          await connect()
        ).list({
          ...(phase ? { phase: phase as WebinarPhase } : {}),
          ...window,
        });
        print(values.json ? JSON.stringify(rows, null, 2) : formatList(rows));
      };
      break;
    }
    case 'export-history': {
      const [id = '', file = ''] = exact(args, 2, 'export-history <webinarId> <file>');
      prepared = async () => {
        const r = await (await connect()).exportHistory(id, file);
        print(`Wrote ${r.events} events of webinar ${id} to ${r.file}`);
      };
      break;
    }
    case 'replay':
      return prepareReplay({
        ...values,
        args,
        env: ctx.env,
        print,
        connect,
        workflowBundle: ctx.workflowBundle,
      });
    case 'help':
      return async () => print(USAGE);
  }
  return prepared;
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
    e instanceof ReplayGateError
  ) {
    err(`${e.message}\n`);
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
