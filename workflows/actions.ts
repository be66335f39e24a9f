/**
 * The operator actions, declared once. Each entry holds the parser of its argument (typed, normalised, or the
 * fields that are wrong), the phases where it is allowed, whether it runs under chimeLock, the state check and
 * the body. The Update and the Signal (definitions.ts, handlers.ts), the client's pre-check
 * (client/webinar-client.ts) and the CLI all derive from this table; the parsed value is what the body runs on.
 *
 * Adding an action: one entry here, one body function (docs/workflow.md shows an example).
 */
import { parseNoArgs } from '../domain/actions';
import { MEETING_PHASES, OPEN_PHASES, type WebinarPhase } from '../domain/phases';
import type { OperatorActionResult } from '../domain/types';
import {
  validateAddAttendeesArgs,
  validateEndWebinarArgs,
  validateMuteAllExceptArgs,
  validateRemoveAttendeeArgs,
  validateRescheduleArgs,
  validateSpeakerArgs,
  validateTranscriptionSettings,
  type Validated,
} from '../domain/validation';
import { addAttendees, checkAddAttendees, checkRemoveAttendee, removeAttendee } from './attendees';
import type { Webinar } from './context';
import { checkReschedule, endWebinar, reschedule, retryTeardown } from './schedule';
import { checkDemote, checkMuteAllExcept, checkPromote, demote, muteAllExcept, promote } from './speakers';
import {
  checkStartTranscription,
  checkStopTranscription,
  startTranscription,
  stopTranscription,
} from './transcription';

export interface OperatorActionEntry<Args> {
  /** Typed, normalised arguments, or the field errors. Pure: the client runs it too. */
  parse(input: unknown): Validated<Args>;
  /** Phases in which the action is allowed. */
  phases: readonly WebinarPhase[];
  /** Runs the check and the body under chimeLock (every action whose body calls Chime). */
  lock: boolean;
  /**
   * Checks against the webinar's state, beyond the phase; throws an ActionRejection. Runs in the Update's
   * validator (or as the Signal arrives) and again right before the body: under the lock when it takes it.
   */
  check?(w: Webinar, args: Args): void;
  run(w: Webinar, args: Args): Promise<OperatorActionResult>;
}

function entry<Args>(e: OperatorActionEntry<Args>): OperatorActionEntry<Args> {
  return e;
}

export const OPERATOR_ACTION_TABLE = {
  promoteSpeaker: entry({
    parse: validateSpeakerArgs,
    phases: MEETING_PHASES,
    lock: true,
    check: checkPromote,
    run: promote,
  }),
  demoteSpeaker: entry({
    parse: validateSpeakerArgs,
    phases: MEETING_PHASES,
    lock: true,
    check: checkDemote,
    run: demote,
  }),
  muteAllExcept: entry({
    parse: validateMuteAllExceptArgs,
    // Not while provisioning: batches in flight would register attendees with their old capabilities.
    phases: ['READY', 'LIVE'],
    lock: true,
    check: checkMuteAllExcept,
    run: muteAllExcept,
  }),
  addAttendees: entry({
    parse: validateAddAttendeesArgs,
    phases: OPEN_PHASES,
    // Queues before provisioning; the registration after it takes the lock itself.
    lock: false,
    check: checkAddAttendees,
    run: addAttendees,
  }),
  removeAttendee: entry({
    parse: validateRemoveAttendeeArgs,
    phases: OPEN_PHASES,
    lock: true,
    check: checkRemoveAttendee,
    run: removeAttendee,
  }),
  reschedule: entry({
    parse: validateRescheduleArgs,
    phases: OPEN_PHASES,
    lock: false,
    check: checkReschedule,
    run: reschedule,
  }),
  startTranscription: entry({
    parse: (input) => validateTranscriptionSettings(input),
    phases: OPEN_PHASES,
    lock: true,
    check: checkStartTranscription,
    run: startTranscription,
  }),
  stopTranscription: entry({
    parse: parseNoArgs,
    phases: OPEN_PHASES,
    lock: true,
    check: checkStopTranscription,
    run: stopTranscription,
  }),
  endWebinar: entry({
    parse: validateEndWebinarArgs,
    phases: OPEN_PHASES,
    lock: false,
    run: endWebinar,
  }),
  retryTeardown: entry({
    parse: parseNoArgs,
    phases: ['TEARDOWN_FAILED'],
    // The teardown it wakes takes the lock.
    lock: false,
    run: retryTeardown,
  }),
};

export type OperatorActionTable = typeof OPERATOR_ACTION_TABLE;
export type OperatorAction = keyof OperatorActionTable;
/** Each action's argument type, as its parser returns it. */
export type OperatorActionArgs = {
  [A in OperatorAction]: OperatorActionTable[A] extends OperatorActionEntry<infer Args> ? Args : never;
};

export const OPERATOR_ACTIONS = Object.keys(OPERATOR_ACTION_TABLE) as OperatorAction[];
