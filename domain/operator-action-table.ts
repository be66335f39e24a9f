/**
 * The operator actions, declared once: each entry of OPERATOR_ACTION_TABLE holds the parser of its argument
 * (typed, normalised, or the fields that are wrong), the phases where it is allowed, whether it runs under
 * chimeLock and, for the actions the CLI spells as commands of their own, that command. The Update and the Signal
 * (workflows/definitions.ts, workflows/handlers.ts), the client's pre-check (client/library/operator-actions.ts)
 * and the CLI (client/cli/action-commands.ts) derive from this table; each action's body is keyed by its name in
 * the workflows/ module of its concern, gathered in workflows/action-bodies.ts. Pure and deterministic: the
 * workflow sandbox and the client both run it.
 *
 * Adding an action: one entry here, one body (docs/workflow.md shows an example).
 */
import { MAX_ATTENDEES } from './limits';
import { MEETING_PHASES, OPEN_PHASES, type WebinarPhase } from './phases';
import type {
  AddAttendeesArgs,
  AttendeeSpec,
  EndWebinarArgs,
  MuteAllExceptArgs,
  RemoveAttendeeArgs,
  RescheduleArgs,
  SpeakerArgs,
} from './types';
import { checkAttendees } from './validation/attendees';
import {
  checkArray,
  checkKnownKeys,
  checkString,
  Errors,
  isAbsent,
  requireObject,
  result,
  ROOT_FIELD,
  type FieldError,
  type Validated,
} from './validation/fields';
import { checkExternalUserId } from './validation/identifiers';
import { checkInstant, checkWindow, ISO_EXAMPLE } from './validation/schedule';
import { validateTranscriptionSettings } from './validation/transcription';

export interface OperatorActionSpec<Args> {
  /** Typed, normalised arguments, or the field errors. Pure: the client runs it too. */
  parse(input: unknown): Validated<Args>;
  /** Phases in which the action is allowed. */
  phases: readonly WebinarPhase[];
  /** Runs its state check and body under chimeLock (every action whose body calls Chime). */
  lock: boolean;
  /** Its own CLI command; without one it runs as `action <webinarId> <name> [JSON]` only. */
  command?: ActionCommand<Args>;
}

/** How the operator CLI spells an action as a command: `npm run cli -- <name> <webinarId> <operands> [options]`. */
export interface ActionCommand<Args> {
  name: string;
  /** The operands after <webinarId> as the usage shows them; a last one like `<id...>` takes one or more. */
  operands: readonly string[];
  /** The options it reads, each with the placeholder the usage shows (`{ start: 'ISO' }`: `[--start ISO]`). */
  options?: Readonly<Record<string, string>>;
  /** When one of the options must be given: what the usage error says it needs. */
  needsOption?: string;
  /** The first operand names a CSV file of attendees (externalUserId,role,region), which the CLI reads. */
  readsAttendeesCsv?: boolean;
  /** Its line in the CLI's usage text. */
  summary?: string;
  /** The argument from the command line; the action's parser checks it before anything is sent. */
  toArgs(line: CommandLine): Args;
}

export interface CommandLine {
  operands: readonly string[];
  options: Readonly<Record<string, string | undefined>>;
  /** The attendees of the CSV file, for a command that reads one. */
  attendees: AttendeeSpec[];
}

export type NoArgs = Record<string, never>;

/** An action without argument: absent or `{}`, nothing else. */
export function parseNoArgs(input: unknown): Validated<NoArgs> {
  const empty =
    input === undefined ||
    input === null ||
    (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0);
  if (empty) return { ok: true, value: {} };
  const errors: FieldError[] = [{ field: 'input', message: 'takes an empty object {}' }];
  return { ok: false, errors };
}

function checkSingleUser(input: unknown): Validated<{ externalUserId: string }> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserId}')) return errors.failure();
  checkKnownKeys(input, ['externalUserId'], '', errors);
  if (isAbsent(input.externalUserId)) errors.add('externalUserId', 'is required');
  else checkExternalUserId(input.externalUserId, 'externalUserId', errors);
  return result(errors, () => ({ externalUserId: input.externalUserId as string }));
}

/** promoteSpeaker / demoteSpeaker: `{externalUserId}`. */
export function validateSpeakerArgs(input: unknown): Validated<SpeakerArgs> {
  return checkSingleUser(input);
}

/** removeAttendee: `{externalUserId}`. */
export function validateRemoveAttendeeArgs(input: unknown): Validated<RemoveAttendeeArgs> {
  return checkSingleUser(input);
}

/** The service's limit on ExcludedAttendeeIds in BatchUpdateAttendeeCapabilitiesExcept. */
export const MAX_MUTE_EXCEPTIONS = 250;

/** muteAllExcept: `{externalUserIds}`, 1-250 distinct external user IDs. */
export function validateMuteAllExceptArgs(input: unknown): Validated<MuteAllExceptArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserIds}')) return errors.failure();
  checkKnownKeys(input, ['externalUserIds'], '', errors);
  const ids = input.externalUserIds;
  if (isAbsent(ids)) {
    errors.add('externalUserIds', `is required: 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted`);
  } else if (checkArray(ids, 'externalUserIds', errors, 'external user ID strings')) {
    if (ids.length < 1 || ids.length > MAX_MUTE_EXCEPTIONS) {
      errors.add(
        'externalUserIds',
        `must list 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted, got ${ids.length}`,
      );
    } else {
      const firstIndex = new Map<string, number>();
      ids.forEach((id, index) => {
        const at = `externalUserIds[${index}]`;
        if (!checkExternalUserId(id, at, errors)) return;
        const first = firstIndex.get(id);
        if (first !== undefined) errors.add(at, `duplicates externalUserIds[${first}]; list each ID once`);
        else firstIndex.set(id, index);
      });
    }
  }
  return result(errors, () => ({ externalUserIds: [...(ids as string[])] }));
}

/** addAttendees: `{attendees}`, 1-10,250 attendees with the same rules as the webinar input. */
export function validateAddAttendeesArgs(input: unknown): Validated<AddAttendeesArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {attendees}')) return errors.failure();
  checkKnownKeys(input, ['attendees'], '', errors);
  let attendees: AttendeeSpec[] | undefined;
  const items = input.attendees;
  if (isAbsent(items)) errors.add('attendees', 'is required: an array of 1 or more attendees to add');
  else if (checkArray(items, 'attendees', errors, '{externalUserId, role, region?} objects')) {
    if (items.length < 1 || items.length > MAX_ATTENDEES) {
      errors.add('attendees', `must list 1-${MAX_ATTENDEES} attendees, got ${items.length}`);
    } else attendees = checkAttendees(items, 'attendees', errors);
  }
  return result(errors, () => ({ attendees: attendees ?? [] }));
}

/** reschedule: `{startAt?, endAt?}`, at least one, each ISO-8601 with a timezone; both: endAt after startAt. */
export function validateRescheduleArgs(input: unknown): Validated<RescheduleArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {startAt?, endAt?}')) return errors.failure();
  checkKnownKeys(input, ['startAt', 'endAt'], '', errors);
  const hasStart = !isAbsent(input.startAt);
  const hasEnd = !isAbsent(input.endAt);
  if (!hasStart && !hasEnd) {
    errors.add(ROOT_FIELD, `must give startAt, endAt or both (ISO-8601 with a timezone, ${ISO_EXAMPLE})`);
  }
  const start = hasStart ? checkInstant(input.startAt, 'startAt', errors) : undefined;
  const end = hasEnd ? checkInstant(input.endAt, 'endAt', errors) : undefined;
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);
  return result(errors, () => {
    const args: RescheduleArgs = {};
    if (hasStart) args.startAt = input.startAt as string;
    if (hasEnd) args.endAt = input.endAt as string;
    return args;
  });
}

export const MAX_END_REASON_LENGTH = 256;

/** endWebinar: `{reason?}` (a missing argument is the same as `{}`). */
export function validateEndWebinarArgs(input: unknown): Validated<EndWebinarArgs> {
  const errors = new Errors();
  if (isAbsent(input)) return { ok: true, value: {} };
  if (!requireObject(input, '', errors, 'an object {reason?}')) return errors.failure();
  checkKnownKeys(input, ['reason'], '', errors);
  if (!isAbsent(input.reason)) {
    checkString(input.reason, 'reason', errors, { min: 0, max: MAX_END_REASON_LENGTH });
  }
  return result(errors, () => (isAbsent(input.reason) ? {} : { reason: input.reason as string }));
}

/** A CLI command whose one operand is the external user ID the action takes. */
function oneAttendeeCommand(name: string, summary: string): ActionCommand<SpeakerArgs> {
  return {
    name,
    operands: ['<externalUserId>'],
    summary,
    toArgs: ({ operands }) => ({ externalUserId: operands[0] ?? '' }),
  };
}

function spec<Args>(entry: OperatorActionSpec<Args>): OperatorActionSpec<Args> {
  return entry;
}

/** In this order the CLI lists the actions and their commands. */
export const OPERATOR_ACTION_TABLE = {
  promoteSpeaker: spec({
    parse: validateSpeakerArgs,
    phases: MEETING_PHASES,
    lock: true,
    command: oneAttendeeCommand(
      'promote',
      'give a speaker SendReceive (replica viewers: primary credentials)',
    ),
  }),
  demoteSpeaker: spec({
    parse: validateSpeakerArgs,
    phases: MEETING_PHASES,
    lock: true,
    command: oneAttendeeCommand('demote', 'back to receive-only'),
  }),
  muteAllExcept: spec({
    parse: validateMuteAllExceptArgs,
    // Not while provisioning: batches in flight would register attendees with their old capabilities.
    phases: ['READY', 'LIVE'],
    lock: true,
    command: {
      name: 'mute-all-except',
      operands: ['<id...>'],
      summary: 'mute everyone except the listed external user IDs',
      toArgs: ({ operands }) => ({ externalUserIds: [...operands] }),
    },
  }),
  addAttendees: spec({
    parse: validateAddAttendeesArgs,
    phases: OPEN_PHASES,
    // Queues before provisioning; the registration after it takes the lock itself.
    lock: false,
    command: {
      name: 'add-attendees',
      operands: ['<file.csv>'],
      readsAttendeesCsv: true,
      summary: 'register late attendees (CSV: externalUserId,role,region)',
      toArgs: ({ attendees }) => ({ attendees }),
    },
  }),
  removeAttendee: spec({
    parse: validateRemoveAttendeeArgs,
    phases: OPEN_PHASES,
    lock: true,
    command: oneAttendeeCommand('remove', 'delete an attendee'),
  }),
  reschedule: spec({
    parse: validateRescheduleArgs,
    phases: OPEN_PHASES,
    lock: false,
    command: {
      name: 'reschedule',
      operands: [],
      options: { start: 'ISO', end: 'ISO' },
      needsOption: '--start, --end or both (ISO-8601 with a timezone, e.g. 2030-01-31T15:00:00Z)',
      toArgs: ({ options: { start, end } }) => ({
        ...(start !== undefined ? { startAt: start } : {}),
        ...(end !== undefined ? { endAt: end } : {}),
      }),
    },
  }),
  startTranscription: spec({
    parse: (input) => validateTranscriptionSettings(input),
    phases: OPEN_PHASES,
    lock: true,
  }),
  stopTranscription: spec({
    parse: parseNoArgs,
    phases: OPEN_PHASES,
    lock: true,
  }),
  endWebinar: spec({
    parse: validateEndWebinarArgs,
    phases: OPEN_PHASES,
    lock: false,
    command: {
      name: 'end',
      operands: [],
      options: { reason: 'TEXT' },
      summary: 'end now and tear everything down',
      toArgs: ({ options: { reason } }) => (reason !== undefined ? { reason } : {}),
    },
  }),
  retryTeardown: spec({
    parse: parseNoArgs,
    phases: ['TEARDOWN_FAILED'],
    // The teardown it wakes takes the lock.
    lock: false,
  }),
};

export type OperatorActionTable = typeof OPERATOR_ACTION_TABLE;
export type OperatorAction = keyof OperatorActionTable;
/** Each action's argument type, as its parser returns it. */
export type OperatorActionArgs = {
  [A in OperatorAction]: OperatorActionTable[A] extends OperatorActionSpec<infer Args> ? Args : never;
};

export const OPERATOR_ACTIONS = Object.keys(OPERATOR_ACTION_TABLE) as OperatorAction[];

/** The example the CLI's usage gives for running any action by its name. */
export const OPERATOR_ACTION_EXAMPLE: {
  [A in OperatorAction]: { action: A; args: OperatorActionArgs[A] };
}[OperatorAction] = { action: 'promoteSpeaker', args: { externalUserId: 'alice' } };

/** The actions the CLI spells as commands of their own, in the table's order. */
export function actionCommands(): { action: OperatorAction; command: ActionCommand<unknown> }[] {
  return OPERATOR_ACTIONS.flatMap((action) => {
    const command: ActionCommand<unknown> | undefined = OPERATOR_ACTION_TABLE[action].command;
    return command ? [{ action, command }] : [];
  });
}
