/**
 * The operator CLI's command list and its usage text (`npm run cli -- help`): the action commands and the list of
 * operator actions come from the action table (domain/operator-action-table.ts), so the text cannot drift from what runs.
 */
import { OPERATOR_ACTIONS } from '../../domain/operator-action-table';
import { DEFAULT_REPLAY_LIMIT } from '../library/replay';
import { ACTION_COMMAND_USAGE, ACTION_COMMANDS, ACTION_EXAMPLE } from './action-commands';

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
  report <webinarId> [--format csv|json] [--output <file>]
                                            the attendance report, one row per attendee (CSV, the default, or
                                            JSON with totals), from the workers' store once the webinar ended
                                            (CREDENTIAL_STORE_URL, PAYLOAD_ENCRYPTION_KEYS); to stdout or <file>
  patch-readiness <patchId> --deployed-at T [--json]
                                            whether a patch of workflows/patches.ts may be deprecated or
                                            removed: the open webinars started before the deployment at T
                                            (ISO-8601); exit 1 while any is open (docs/versioning.md)
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
  --format csv|json       report: the report's format (default csv)
  --output FILE           report: write the report to FILE instead of stdout
  --allow-empty           replay: succeed when no history matches (default: exit 1, nothing was checked)
  -h, --help              this text
TLS, API key and payload encryption come from the environment as for the worker (docs/reference.md).
schedule consults the capacity calendar (docs/capacity-calendar.md): WEBINAR_CALENDAR_POLICY warn (default),
refuse or least-committed; WEBINAR_CALENDAR_REGIONS the control Regions least-committed may choose from;
WEBINAR_CALENDAR_ADAPTIVE_LEAD on (default: an over-committed window starts provisioning earlier, up to 240 s) or off.
Exit codes: 0 done, 1 refused (unknown webinar, rejected action, conflict, no report yet), 2 usage or invalid input.`;

/** The commands that are not an operator action's own (those come from the table). */
export const OTHER_COMMANDS = [
  'schedule',
  'status',
  'attendee',
  'action',
  'cancel',
  'list',
  'export-history',
  'report',
  'patch-readiness',
  'replay',
  'help',
] as const;
export type OtherCommand = (typeof OTHER_COMMANDS)[number];

/** Every command, in the usage text's order. */
export const COMMANDS: readonly string[] = [
  ...OTHER_COMMANDS.slice(0, 3),
  ...ACTION_COMMANDS.map(({ command }) => command.name),
  ...OTHER_COMMANDS.slice(3),
];
