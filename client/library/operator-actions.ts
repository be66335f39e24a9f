/**
 * How an operator action reaches a webinar's workflow, written once for every caller (WebinarClient.action, the
 * CLI, the benchmarks, the history recorder): checked first with the action's own parser from the table
 * (domain/operator-action-table.ts), so a bad argument is refused before anything is sent.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import {
  OPERATOR_ACTION_TABLE,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../domain/operator-action-table';
import type { OperatorActionResult } from '../../domain/types';
import { operatorSignals, operatorUpdates } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows/webinar';
import { WebinarInputError } from './errors';

export type WebinarHandle = WorkflowHandle<typeof webinarWorkflow>;

export interface ActionOptions {
  /** Send a Signal instead of an Update: returns once accepted; a rejection lands in status().rejected. */
  fireAndForget?: boolean;
}

/** What a Signal returns: it was accepted; a rejection lands in status().rejected. */
export interface SignalSent {
  ok: true;
  detail: 'signal sent';
}

/** Checks an operator action's argument with the workflow's own rules; throws WebinarInputError naming every bad field. */
export function checkOperatorAction<A extends OperatorAction>(action: A, args: OperatorActionArgs[A]): void {
  // The workflow's own parser for the action (domain/operator-action-table.ts): the same rules, the same messages.
  const validated = OPERATOR_ACTION_TABLE[action].parse(args);
  if (!validated.ok) throw new WebinarInputError(validated.errors, `${action} argument`);
}

/**
 * Sends an operator action to a webinar's workflow: checked first with the action's own parser
 * (WebinarInputError, nothing sent), then its Update (the result) or, with `fireAndForget`, its Signal.
 * Temporal's errors pass through unchanged; WebinarClient.action turns them into the client's errors.
 */
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options: { fireAndForget: true },
): Promise<SignalSent>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options?: { fireAndForget?: false },
): Promise<OperatorActionResult>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options?: ActionOptions,
): Promise<OperatorActionResult | SignalSent>;
export async function sendOperatorAction<A extends OperatorAction>(
  handle: WebinarHandle,
  action: A,
  args: OperatorActionArgs[A],
  options: ActionOptions = {},
): Promise<OperatorActionResult | SignalSent> {
  checkOperatorAction(action, args);
  if (options.fireAndForget) {
    await handle.signal(operatorSignals[action], args);
    return { ok: true, detail: 'signal sent' };
  }
  // The definitions are typed per action; the map lookup loses the pairing of name and argument, not the name.
  return handle.executeUpdate(
    operatorUpdates[action] as UpdateDefinition<OperatorActionResult, [OperatorActionArgs[A]]>,
    { args: [args] },
  );
}
