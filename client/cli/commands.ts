/**
 * The operator CLI's commands other than the action commands (action-commands.ts): its options, and for each
 * command the checks that need no server (exit 2 on a problem), returning the step that talks to Temporal.
 */
import { parseArgs } from 'node:util';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WEBINAR_PHASES } from '../../domain/phases';
import type { WebinarPhase } from '../../domain/types';
import { formatCalendar } from '../library/calendar';
import type { WebinarClient } from '../library/webinar-client';
import { checkReadinessInput, PatchNotReadyError, patchReadiness } from '../library/patch-readiness';
import { checkWebinarSpec } from '../library/webinar-spec';
import { ACTION_COMMANDS, ACTION_OPTIONS, prepareActionCommand, sendChecked } from './action-commands';
import { formatList, formatStatus } from './format';
import { between, exact, operatorActionNamed, parseActionArgument, readSpecFile, UsageError } from './input';
import { prepareReplay } from './replay-command';
import { prepareReport } from './report-command';
import { USAGE, type OtherCommand } from './usage';

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
  'deployed-at': { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export type CliValues = ReturnType<
  typeof parseArgs<{ options: typeof CLI_OPTIONS; allowPositionals: true }>
>['values'] & { readonly [actionOption: string]: string | boolean | undefined };

/** What a command needs to run once everything checkable offline has been checked. */
export interface CommandContext {
  command: string;
  args: string[];
  values: CliValues;
  env: NodeJS.ProcessEnv;
  print: (text: string) => void;
  /** Writes the text as it is, no newline added. */
  write: (text: string) => void;
  /** Connects on first use; main() closes it. */
  connect: () => Promise<WebinarClient>;
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** Step 1: the command line, or a usage error (exit 2). */
export function parseCommandLine(argv: string[]): { values: CliValues; positionals: string[] } {
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
export async function prepareCommand(ctx: CommandContext): Promise<() => Promise<void>> {
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
    case 'report':
      return prepareReport({
        args,
        ...(values.format !== undefined ? { format: values.format } : {}),
        ...(values.output !== undefined ? { output: values.output } : {}),
        env: ctx.env,
        print,
        write: ctx.write,
      });
    case 'patch-readiness': {
      const [patchId = ''] = exact(args, 1, 'patch-readiness <patchId> --deployed-at T');
      checkReadinessInput(patchId, values['deployed-at']);
      prepared = async () => {
        const readiness = await patchReadiness((await connect()).client, patchId, values['deployed-at']);
        print(values.json ? JSON.stringify(readiness, null, 2) : readiness.verdict);
        if (readiness.openBefore > 0 && readiness.patch.state !== 'removed')
          throw new PatchNotReadyError(readiness);
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
