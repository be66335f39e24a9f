/**
 * Why an operator action is refused. A rejection has two wordings: the caller's (it may name the external user
 * ID the caller sent: a validator's rejection and a query are not written to history), and the recorded one,
 * which names attendees by roster position only (Update failures after acceptance, `status().rejected`, and
 * so continue-as-new, are written to history, where no external user ID may appear without the codec).
 */
import type { WebinarPhase } from '../domain/phases';
import type { Webinar } from './context';
import type { RosterEntry } from './roster';
import type { MeetingState } from './state';

export class ActionRejection extends Error {
  /** The wording without external user IDs. */
  readonly recorded: string;
  constructor(message: string, recorded: string = message) {
    super(message);
    this.name = 'ActionRejection';
    this.recorded = recorded;
  }

  /** The same rejection for one action: `<action>: <reason>`. */
  forAction(action: string): ActionRejection {
    return new ActionRejection(`${action}: ${this.message}`, `${action}: ${this.recorded}`);
  }
}

export function reject(reason: string): ActionRejection {
  return new ActionRejection(reason);
}

/** A rejection about one attendee named by `field`: `<field> <id> <reason>`, recorded as `<field> (attendee #n) <reason>`. */
export function rejectAttendee(
  w: Webinar,
  field: string,
  externalUserId: string,
  reason: string,
): ActionRejection {
  const ref = w.roster.ref(externalUserId);
  return new ActionRejection(
    `${field} ${externalUserId} ${reason}`,
    ref ? `${field} (${ref}) ${reason}` : `${field} ${reason}`,
  );
}

/** A phase rejection's sentence already starts with the action's name. */
export class PhaseRejection extends ActionRejection {
  override forAction(): ActionRejection {
    return this;
  }
}

export function requirePhase(w: Webinar, action: string, allowed: readonly WebinarPhase[]): void {
  if (!allowed.includes(w.phase)) {
    throw new PhaseRejection(`${action} is not allowed in phase ${w.phase} (allowed: ${allowed.join(', ')})`);
  }
}

export function requireAttendee(
  w: Webinar,
  externalUserId: string,
  field = 'externalUserId',
): Readonly<RosterEntry> {
  const entry = w.roster.get(externalUserId);
  if (!entry || entry.state === 'removed') {
    throw rejectAttendee(w, field, externalUserId, 'is not an attendee of this webinar');
  }
  return entry;
}

export function requireRegistered(w: Webinar, externalUserId: string): Readonly<RosterEntry> {
  const entry = requireAttendee(w, externalUserId);
  if (entry.state !== 'registered' || !entry.attendeeId) {
    const ref = w.roster.ref(externalUserId) ?? 'the attendee';
    throw new ActionRejection(
      `attendee ${externalUserId} is not registered (${entry.state})`,
      `${ref} is not registered (${entry.state})`,
    );
  }
  return entry;
}

export function requirePrimary(w: Webinar): MeetingState {
  const primary = w.primary();
  if (!primary) throw reject('the webinar has no primary meeting right now');
  return primary;
}

/** Signal rejections kept for the status query (the newest). */
export const MAX_REJECTIONS_KEPT = 50;

export function recordRejection(w: Webinar, action: string, reason: string, recorded: string): void {
  const rejection = { action, reason: recorded, at: new Date(Date.now()).toISOString() };
  w.local.plainReasons.set(rejection, reason);
  w.state.rejected = [...w.state.rejected, rejection].slice(-MAX_REJECTIONS_KEPT);
}
