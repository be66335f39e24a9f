/**
 * The shape of an operator action's body (its parser, phases and lock are the action table's, domain/operator-action-table.ts).
 * Each body lives in the module of its concern; action-bodies.ts gathers them.
 */
import type { OperatorAction, OperatorActionArgs } from '../domain/operator-action-table';
import type { OperatorActionResult } from '../domain/types';
import type { Webinar } from './context';

export interface ActionBody<Args> {
  /**
   * Checks against the webinar's state, beyond the phase; throws an ActionRejection. Runs in the Update's
   * validator (or as the Signal arrives) and again right before `run`: under the lock when the action takes it.
   */
  check?(w: Webinar, args: Args): void;
  /** The action itself, on the parsed arguments. */
  run(w: Webinar, args: Args): Promise<OperatorActionResult>;
}

/** A body for every action; a module's object `satisfies Partial<ActionBodies>` (no name it does not know). */
export type ActionBodies = { [A in OperatorAction]: ActionBody<OperatorActionArgs[A]> };
