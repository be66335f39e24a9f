/**
 * The webinar's roster: who is invited, where each attendee is placed, and what the service registered.
 * Workflow state, so it is plain data; `encode` packs it compactly for continue-as-new (a full-size roster of
 * 10,250 attendees must stay well under Temporal's 2 MB payload limit), without the removed attendees.
 *
 * The roster owns the attendee's transitions (placed, registered, failed, promoted, demoted, silenced, removed,
 * and the reset of a new generation): callers read entries and never write their fields.
 */
import type { MeetingKey } from '../domain/seats';
import type { AttendeeRole, AttendeeSpec } from '../domain/types';

export type { MeetingKey };

export type RegistrationState = 'pending' | 'registered' | 'failed' | 'removed';

export interface RosterEntry {
  externalUserId: string;
  role: AttendeeRole;
  region?: string;
  /** The meeting the seat plan placed the attendee in; undefined until placed. */
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
/**
 * The entries in position order; a number stands for that many positions of removed attendees, which are not
 * carried (a new run needs nothing of them) but whose positions are never reused: recorded rejections name
 * attendees by position. Rosters packed before removed attendees were dropped hold tuples only.
 */
export type PackedRoster = (PackedEntry | number)[];

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
  /** Position of each attendee in the roster (stable: removed entries keep theirs, encode keeps the gaps). */
  private readonly positions = new Map<string, number>();
  /** The position the next new attendee takes (above every position given, dropped ones included). */
  private nextPosition = 0;
  /** Bumped whenever who attends changes (add, remove): what a seat plan depends on. Not encoded. */
  private membershipRevision = 0;

  static fromSpecs(attendees: AttendeeSpec[]): Roster {
    const roster = new Roster();
    roster.add(attendees);
    return roster;
  }

  static decode(packed: PackedRoster): Roster {
    const roster = new Roster();
    for (const item of packed) {
      if (typeof item === 'number') {
        roster.nextPosition += item;
        continue;
      }
      const [id, role, region, meeting, attendeeId, state, error, speaking, promoted] = item;
      roster.put({
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

  /**
   * Removed attendees are left out: a removed entry holds no credentials and no seat, and every reader but `ref`
   * treats it as unknown (a rejection about one names no position afterwards); one added again after the new run
   * starts is a new attendee at a new position.
   */
  encode(): PackedRoster {
    const packed: PackedRoster = [];
    // Entries are in position order (a re-added attendee keeps its entry and position).
    let next = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'removed') continue;
      const position = this.positions.get(e.externalUserId) ?? next;
      if (position > next) packed.push(position - next);
      packed.push([
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
      next = position + 1;
    }
    if (this.nextPosition > next) packed.push(this.nextPosition - next);
    return packed;
  }

  /** Continue-as-new serializes the state object as JSON: the roster travels packed. */
  toJSON(): PackedRoster {
    return this.encode();
  }

  private put(entry: RosterEntry): void {
    if (!this.positions.has(entry.externalUserId))
      this.positions.set(entry.externalUserId, this.nextPosition++);
    this.entries.set(entry.externalUserId, entry);
  }

  private entry(externalUserId: string): RosterEntry | undefined {
    return this.entries.get(externalUserId);
  }

  // ------------------------------------------------------------------ reading

  get(externalUserId: string): Readonly<RosterEntry> | undefined {
    return this.entries.get(externalUserId);
  }

  /**
   * How results and recorded rejections name an attendee: by its position in the roster (`attendee #12`), so no
   * external user ID is written to workflow history by the workflow itself. Undefined for unknown IDs.
   */
  ref(externalUserId: string): string | undefined {
    const position = this.positions.get(externalUserId);
    return position === undefined ? undefined : `attendee #${position}`;
  }

  /** An active attendee's position (what `encode` keeps); undefined for a removed or unknown one. */
  position(externalUserId: string): number | undefined {
    return this.entries.get(externalUserId)?.state === 'removed'
      ? undefined
      : this.positions.get(externalUserId);
  }

  /** Who holds each position, for the active attendees. */
  idsByPosition(): Map<number, string> {
    const ids = new Map<number, string>();
    for (const e of this.active()) {
      const position = this.positions.get(e.externalUserId);
      if (position !== undefined) ids.set(position, e.externalUserId);
    }
    return ids;
  }

  /** Everyone not removed. */
  active(): Readonly<RosterEntry>[] {
    return [...this.entries.values()].filter((e) => e.state !== 'removed');
  }

  inMeeting(meeting: MeetingKey): Readonly<RosterEntry>[] {
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

  /** Everyone's registration, or (`presenters`) only the hosts' and speakers' as the roster names them. */
  counts(which: 'everyone' | 'presenters' = 'everyone'): {
    requested: number;
    registered: number;
    failed: number;
  } {
    let requested = 0;
    let registered = 0;
    let failed = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'removed' || (which === 'presenters' && e.role === 'viewer')) continue;
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

  // ------------------------------------------------------------------ transitions

  /** Which version of the membership this is: equal values, same attendees with the same roles and Regions. */
  membership(): number {
    return this.membershipRevision;
  }

  /** Adds new attendees as pending, or brings back removed ones. */
  add(attendees: AttendeeSpec[]): void {
    this.membershipRevision++;
    for (const a of attendees) {
      this.put({
        externalUserId: a.externalUserId,
        role: a.role,
        region: a.region,
        state: 'pending',
        speaking: a.role !== 'viewer',
      });
    }
  }

  /** The seat plan (or a late placement) gave the attendee a seat in `meeting`. */
  placed(externalUserId: string, meeting: MeetingKey): void {
    const e = this.entry(externalUserId);
    if (e) e.meeting = meeting;
  }

  /** The service created the attendee. */
  registered(externalUserId: string, attendeeId: string): void {
    const e = this.entry(externalUserId);
    if (!e) return;
    e.attendeeId = attendeeId;
    e.state = 'registered';
    e.error = undefined;
  }

  /** Registration failed for good with the service's (or the placement's) error code. */
  failed(externalUserId: string, code: string): void {
    const e = this.entry(externalUserId);
    if (!e) return;
    e.state = 'failed';
    e.error = code;
  }

  /** Sends media now; a replica viewer also holds speaker credentials in the primary. */
  promoted(externalUserId: string, primaryAttendeeId?: string): void {
    const e = this.entry(externalUserId);
    if (!e) return;
    if (primaryAttendeeId !== undefined) e.promotedAttendeeId = primaryAttendeeId;
    e.speaking = true;
  }

  /** Receive-only again; a promoted replica viewer's primary credentials are gone. */
  demoted(externalUserId: string): void {
    const e = this.entry(externalUserId);
    if (!e) return;
    e.promotedAttendeeId = undefined;
    e.speaking = false;
  }

  /** Muted with everyone else: receive-only, credentials kept (the service changed capabilities only). */
  silenced(externalUserId: string): void {
    const e = this.entry(externalUserId);
    if (e) e.speaking = false;
  }

  removed(externalUserId: string): void {
    const e = this.entry(externalUserId);
    if (!e) return;
    this.membershipRevision++;
    e.state = 'removed';
    e.speaking = false;
    e.attendeeId = undefined;
    e.promotedAttendeeId = undefined;
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
