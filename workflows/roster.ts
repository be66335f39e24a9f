/**
 * The webinar's roster: who is invited, where each attendee is placed, and what the service registered.
 * Workflow state, so it is plain data; `encode` packs it compactly for continue-as-new (a full-size roster of
 * 10,250 attendees must stay well under Temporal's 2 MB payload limit).
 */
import type { AttendeeRole, AttendeeSpec } from '../domain/types';

export type MeetingKey = 'primary' | `replica-${number}`;

export type RegistrationState = 'pending' | 'registered' | 'failed' | 'removed';

export interface RosterEntry {
  externalUserId: string;
  role: AttendeeRole;
  region?: string;
  /** The meeting the capacity plan placed the attendee in; undefined until placed. */
  meeting?: MeetingKey;
  attendeeId?: string;
  state: RegistrationState;
  /** The service's error code when registration failed. */
  error?: string;
  /** Sends media now: hosts and speakers from the start, viewers once promoted. */
  speaking: boolean;
  /** A promoted replica viewer's credentials in the primary. */
  promotedAttendeeId?: string;
}

/** One entry as a tuple: [externalUserId, role, region, meeting, attendeeId, state, error, speaking, promotedAttendeeId]. */
type PackedEntry = [string, string, string, string, string, string, string, number, string];

const ROLES: Record<string, AttendeeRole> = { h: 'host', s: 'speaker', v: 'viewer' };
const STATES: Record<string, RegistrationState> = {
  p: 'pending',
  r: 'registered',
  f: 'failed',
  x: 'removed',
};
const STATE_CODES: Record<RegistrationState, string> = {
  pending: 'p',
  registered: 'r',
  failed: 'f',
  removed: 'x',
};

export class Roster {
  private readonly entries = new Map<string, RosterEntry>();

  static fromSpecs(attendees: AttendeeSpec[]): Roster {
    const roster = new Roster();
    roster.add(attendees);
    return roster;
  }

  static decode(packed: PackedEntry[]): Roster {
    const roster = new Roster();
    for (const [id, role, region, meeting, attendeeId, state, error, speaking, promoted] of packed) {
      roster.entries.set(id, {
        externalUserId: id,
        role: ROLES[role] ?? 'viewer',
        region: region || undefined,
        meeting: (meeting || undefined) as MeetingKey | undefined,
        attendeeId: attendeeId || undefined,
        state: STATES[state] ?? 'pending',
        error: error || undefined,
        speaking: speaking === 1,
        promotedAttendeeId: promoted || undefined,
      });
    }
    return roster;
  }

  encode(): PackedEntry[] {
    return [...this.entries.values()].map((e) => [
      e.externalUserId,
      e.role[0] ?? 'v',
      e.region ?? '',
      e.meeting ?? '',
      e.attendeeId ?? '',
      STATE_CODES[e.state],
      e.error ?? '',
      e.speaking ? 1 : 0,
      e.promotedAttendeeId ?? '',
    ]);
  }

  /** Adds new attendees as pending, or brings back removed ones. */
  add(attendees: AttendeeSpec[]): void {
    for (const a of attendees) {
      this.entries.set(a.externalUserId, {
        externalUserId: a.externalUserId,
        role: a.role,
        region: a.region,
        state: 'pending',
        speaking: a.role !== 'viewer',
      });
    }
  }

  get(externalUserId: string): RosterEntry | undefined {
    return this.entries.get(externalUserId);
  }

  /** Everyone not removed. */
  active(): RosterEntry[] {
    return [...this.entries.values()].filter((e) => e.state !== 'removed');
  }

  inMeeting(meeting: MeetingKey): RosterEntry[] {
    return this.active().filter((e) => e.meeting === meeting);
  }

  /** Seats taken in a meeting: its placed attendees plus, in the primary, promoted replica viewers. */
  seatsTaken(meeting: MeetingKey): number {
    let seats = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'removed') continue;
      if (e.meeting === meeting) seats++;
      if (meeting === 'primary' && e.promotedAttendeeId) seats++;
    }
    return seats;
  }

  counts(): { requested: number; registered: number; failed: number } {
    let requested = 0;
    let registered = 0;
    let failed = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'removed') continue;
      requested++;
      if (e.state === 'registered') registered++;
      if (e.state === 'failed') failed++;
    }
    return { requested, registered, failed };
  }

  speakers(): string[] {
    return this.active()
      .filter((e) => e.speaking)
      .map((e) => e.externalUserId);
  }

  /** A new generation of meetings: every active attendee must be placed and registered again. */
  resetRegistrations(): void {
    for (const e of this.entries.values()) {
      if (e.state === 'removed') continue;
      e.state = 'pending';
      e.meeting = undefined;
      e.attendeeId = undefined;
      e.promotedAttendeeId = undefined;
      e.error = undefined;
    }
  }
}

export type PackedRoster = PackedEntry[];
