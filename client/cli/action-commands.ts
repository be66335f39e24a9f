/**
 * The operator CLI's commands for operator actions, derived from the action table (domain/operator-action-table.ts): the
 * commands of their own (`promote`, `end`, ...) with their usage lines and options, and the one step every
 * action command ends in: its argument checked offline with the action's parser (exit 2), then sent.
 */
import {
  actionCommands,
  OPERATOR_ACTION_EXAMPLE,
  type ActionCommand,
  type OperatorAction,
} from '../../domain/operator-action-table';
import { byLine, exact, need, parseAttendeesCsv, readInputFile, UsageError } from './input';
import { WebinarInputError } from '../library/errors';
import { checkOperatorAction } from '../library/operator-actions';
import type { WebinarClient } from '../library/webinar-client';

/** The operator actions the CLI spells as commands of their own, in the table's order. */
export const ACTION_COMMANDS = actionCommands();

/** `promote <webinarId> <externalUserId>`, `end <webinarId> [--reason TEXT]`. */
function commandUsage(command: ActionCommand<unknown>): string {
  const options = Object.entries(command.options ?? {}).map(([flag, value]) => `[--${flag} ${value}]`);
  return [command.name, '<webinarId>', ...command.operands, ...options].join(' ');
}

/** A command's line in the usage text: its usage, then what it does from column 44. */
function usageLine(usage: string, summary: string | undefined): string {
  return summary === undefined ? `  ${usage}` : `${`  ${usage}`.padEnd(43)} ${summary}`;
}

/** The usage text's lines of the action commands. */
export const ACTION_COMMAND_USAGE = ACTION_COMMANDS.map(({ command }) =>
  usageLine(commandUsage(command), command.summary),
).join('\n');

/** The `action` command's example: an action's name and its argument as JSON, in shell quotes. */
export const ACTION_EXAMPLE = `${OPERATOR_ACTION_EXAMPLE.action} '${JSON.stringify(OPERATOR_ACTION_EXAMPLE.args)}'`;

/** The options the action commands read (`--start`, `--reason`, ...), every one a string. */
export const ACTION_OPTIONS = Object.fromEntries(
  ACTION_COMMANDS.flatMap(({ command }) => Object.keys(command.options ?? {})).map((flag) => [
    flag,
    { type: 'string' as const },
  ]),
);

/** What an action command needs of the CLI's invocation. */
export interface ActionCommandContext {
  /** The positionals after the command's name. */
  args: string[];
  values: { json: boolean; signal: boolean; readonly [option: string]: string | boolean | undefined };
  print: (text: string) => void;
  connect: () => Promise<WebinarClient>;
}

/** Checks the action's argument now, offline (WebinarInputError, exit 2), and returns the step that sends it. */
export function sendChecked(
  ctx: ActionCommandContext,
  id: string,
  action: OperatorAction,
  args: unknown,
): () => Promise<void> {
  const { values, print, connect } = ctx;
  // The argument is the action's own: the parser it just passed decides, not this signature.
  const checked = args as never;
  checkOperatorAction(action, checked);
  return async () => {
    const result = await (await connect()).action(id, action, checked, { fireAndForget: values.signal });
    print(values.json ? JSON.stringify(result) : result.detail);
  };
}

/**
 * An action's own command: its operands and options become the action's argument, checked offline with the
 * action's parser; a CSV file is read and its errors are reported by line.
 */
export async function prepareActionCommand(
  ctx: ActionCommandContext,
  { action, command }: { action: OperatorAction; command: ActionCommand<unknown> },
): Promise<() => Promise<void>> {
  const usage = commandUsage(command);
  const count = 1 + command.operands.length;
  const variadic = command.operands.at(-1)?.includes('...') === true;
  const [id = '', ...operands] = variadic ? need(ctx.args, count, usage) : exact(ctx.args, count, usage);
  const options = Object.fromEntries(
    Object.keys(command.options ?? {}).map((flag) => {
      const value = ctx.values[flag];
      return [flag, typeof value === 'string' ? value : undefined];
    }),
  );
  if (command.needsOption !== undefined && Object.values(options).every((v) => v === undefined)) {
    throw new UsageError(`${command.name} needs ${command.needsOption}`);
  }
  if (!command.readsAttendeesCsv) {
    return sendChecked(ctx, id, action, command.toArgs({ operands, options, attendees: [] }));
  }
  const file = operands[0] ?? '';
  const { attendees, lines } = parseAttendeesCsv(await readInputFile(file, 'CSV file'), file);
  try {
    return sendChecked(ctx, id, action, command.toArgs({ operands, options, attendees }));
  } catch (e) {
    if (e instanceof WebinarInputError) throw new UsageError(byLine(e.errors, lines, file));
    throw e;
  }
}
