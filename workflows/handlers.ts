/**
 * The Update and the Signal of every operator action, registered from the action table (domain/operator-action-table.ts) and
 * the actions' bodies (actions.ts).
 *
 * - Update: the validator parses the argument, checks the phase and the entry's state check (a rejection here
 *   is not written to history). The handler parses again (the parsed value is what runs) and repeats the phase
 *   and state check right before the body, under chimeLock when the entry takes it: a check that no longer
 *   holds is a clean `ActionRejected` failure, not a service error.
 * - Signal: the same steps; a rejection is recorded in status().rejected.
 */
import { ApplicationFailure, isCancellation, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  OPERATOR_ACTION_TABLE,
  OPERATOR_ACTIONS,
  type OperatorAction,
  type OperatorActionSpec,
} from '../domain/operator-action-table';
import { describeFieldErrors } from '../domain/validation/fields';
import type { OperatorActionResult } from '../domain/types';
import { ACTION_BODIES } from './action-bodies';
import type { ActionBody } from './action-body';
import type { Webinar } from './context';
import { errorMessage } from './last-error';
import { operatorSignals, operatorUpdates } from './definitions';
import { publishStatus } from './status-memo';
import { ActionRejection, recordRejection, requirePhase } from './rejections';

/** An action's rules and its body. The parser's value is what the body gets, so `unknown` loses nothing here. */
interface AnyEntry {
  rules: OperatorActionSpec<unknown>;
  body: ActionBody<unknown>;
}

function entryOf(action: OperatorAction): AnyEntry {
  return { rules: OPERATOR_ACTION_TABLE[action], body: ACTION_BODIES[action] };
}

/** Parses the argument and checks phase and state; throws an ActionRejection naming the action. */
function admit(w: Webinar, action: OperatorAction, input: unknown): unknown {
  const entry = entryOf(action);
  const parsed = entry.rules.parse(input);
  // Field errors never echo external user IDs (domain/validation/), so one wording serves both.
  if (!parsed.ok) throw new ActionRejection(`${action}: ${describeFieldErrors(parsed.errors)}`);
  recheck(w, action, entry, parsed.value);
  return parsed.value;
}

function recheck(w: Webinar, action: OperatorAction, entry: AnyEntry, args: unknown): void {
  try {
    requirePhase(w, action, entry.rules.phases);
    entry.body.check?.(w, args);
  } catch (err) {
    if (err instanceof ActionRejection) throw err.forAction(action);
    throw err;
  }
}

/** Runs the body on the parsed arguments, after the checks again (under the lock when the entry takes it). */
function perform(w: Webinar, action: OperatorAction, args: unknown): Promise<OperatorActionResult> {
  const entry = entryOf(action);
  w.local.operatorActions++;
  const go = async () => {
    recheck(w, action, entry, args);
    try {
      return await entry.body.run(w, args);
    } finally {
      // What the action changed (speakers, transcription, attendees, an error) reaches the status memo.
      publishStatus(w);
    }
  };
  return entry.rules.lock ? w.chimeLock.run(go) : go();
}

export function registerActionHandlers(w: Webinar): void {
  for (const action of OPERATOR_ACTIONS) {
    // The definitions only differ in their argument types; every action shares these handlers.
    const update = operatorUpdates[action] as UpdateDefinition<OperatorActionResult, [unknown]>;
    const signal = operatorSignals[action] as SignalDefinition<[unknown]>;
    setHandler(
      update,
      async (input: unknown) => {
        try {
          return await perform(w, action, admit(w, action, input));
        } catch (err) {
          if (err instanceof ApplicationFailure || isCancellation(err)) throw err;
          if (err instanceof ActionRejection) {
            throw ApplicationFailure.create({
              type: 'ActionRejected',
              nonRetryable: true,
              message: err.recorded,
            });
          }
          throw ApplicationFailure.create({
            type: 'ActionFailed',
            nonRetryable: true,
            message: errorMessage(err),
          });
        }
      },
      { validator: (input: unknown) => void admit(w, action, input) },
    );
    setHandler(signal, async (input: unknown) => {
      try {
        await perform(w, action, admit(w, action, input));
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (err instanceof ActionRejection) recordRejection(w, action, err.message, err.recorded);
        else recordRejection(w, action, errorMessage(err), errorMessage(err));
      }
    });
  }
}
