/**
 * The bodies of the operator actions, bound by name to the table in domain/actions.ts (which holds each action's
 * parser, phases, lock and CLI command). Each body lives in the module of its concern, as an entry of that
 * module's object keyed by the action's name; this file only gathers them, and its type makes a missing body a
 * compile error. The Update and the Signal of every action (definitions.ts, handlers.ts) come from the two.
 *
 * Adding an action: one entry in domain/actions.ts, one body (docs/workflow.md shows an example).
 */
import type { OperatorAction, OperatorActionArgs } from '../domain/actions';
import type { OperatorActionResult } from '../domain/types';
import { rosterActions } from './attendees';
import type { Webinar } from './context';
import { scheduleActions } from './schedule';
import { speakerActions } from './speakers';
import { transcriptionActions } from './transcription';

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

export const ACTION_BODIES: ActionBodies = {
  ...speakerActions,
  ...rosterActions,
  ...scheduleActions,
  ...transcriptionActions,
};
