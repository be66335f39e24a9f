/**
 * The webinar's attendance, from Chime's meeting events: one record per attendee of the roster, whatever the
 * number of events, so it is bounded by the roster's size. Workflow state (plain data, packed for
 * continue-as-new by `encode`).
 *
 * An attendee holds at most two connections: its seat (in the meeting the seat plan placed it in) and, for a
 * promoted replica viewer, its presenter credentials in the primary. A connection is named by its meeting, not
 * by the attendee ID, so a demoted viewer's leave from the primary still closes it. Events are applied at most
 * once: a duplicate is recognised by its event ID (recent IDs, this run) and, across runs, because each
 * connection remembers its last event's time and an older event is stale. Events of meetings not in this
 * generation are ignored: releasing a generation (and the teardown) closes its connections.
 */
import type { AttendanceCounts, AttendanceRecord, AttendanceTotals } from '../domain/attendance';
import type { MeetingEvent } from '../domain/meeting-events';
import type { AttendeeRole } from '../domain/types';

/** Event IDs remembered for duplicates, this run only (older duplicates are stale by their times). */
export const RECENT_EVENT_IDS = 20_000;

type Slot = 'seat' | 'promoted';

interface Connection {
  /** When it opened (ms, service time); undefined: closed. */
  since?: number;
  /** The time of the last event applied to it: an event older than this is stale. */
  lastAt: number;
}

interface AttendeeState {
  role: AttendeeRole;
  firstJoinAt?: number;
  lastLeaveAt?: number;
  /** Closed time connected, ms. */
  connectedMs: number;
  /** When the attendee's current stretch of being connected (to either meeting) began. */
  openSince?: number;
  joins: number;
  drops: number;
  seat?: Connection;
  promoted?: Connection;
}

/** Where an event lands: which attendee, which of its connections. */
export interface EventTarget {
  externalUserId: string;
  role: AttendeeRole;
  slot: Slot;
}

/**
 * The packed columns, in this order; times relative to `base`, in ms or (the report's times) in seconds, -1
 * for none. The staleness of a new run's events is judged by the attendee's last event, not per connection.
 */
const COLUMNS = [
  'role',
  'firstJoin (s)',
  'lastLeave (s)',
  'connectedMs',
  'openSince',
  'joins',
  'drops',
  'open (1 seat, 2 promoted)',
  'lastAt, after the open time or the last leave',
] as const;

/**
 * Packed for continue-as-new, by columns (each compresses better than mixed rows): `keys` names each attendee
 * by roster position, or by ID when it left the roster.
 */
export interface PackedAttendance {
  base: number;
  keys: (number | string)[];
  columns: number[][];
  events: AttendanceTotals['events'];
}

/**
 * The last event's time as an offset from what it almost always is (the open time, or the last leave to the
 * second): small numbers, where the times themselves would not compress.
 */
function lastAtAfter(r: AttendeeState, lastAt: number, base: number): number {
  if (!Number.isFinite(lastAt)) return -1;
  const leave = r.lastLeaveAt !== undefined ? base + Math.floor((r.lastLeaveAt - base) / 1000) * 1000 : base;
  return Math.max(0, lastAt - (r.openSince ?? leave));
}

const ROLE_CODES: { [R in AttendeeRole]: number } = { host: 0, speaker: 1, viewer: 2 };
const ROLES: AttendeeRole[] = ['host', 'speaker', 'viewer'];

export class Attendance {
  private readonly records = new Map<string, AttendeeState>();
  private readonly recentIds = new Set<string>();
  private readonly events = { applied: 0, duplicate: 0, stale: 0, invalid: 0 };

  /** Whether any event was received at all (the records are worth storing only then). */
  get received(): boolean {
    const e = this.events;
    return e.applied + e.duplicate + e.stale + e.invalid > 0;
  }

  countInvalid(n: number): void {
    this.events.invalid += n;
  }

  /** Applies one event whose target the caller resolved; returns whether it changed anything. */
  apply(event: MeetingEvent, target: EventTarget): boolean {
    if (this.seen(event.id)) return false;
    const r = this.recordOf(target);
    const slot = (r[target.slot] ??= { lastAt: Number.NEGATIVE_INFINITY });
    if (event.at < slot.lastAt) {
      this.events.stale++;
      return false;
    }
    const changed =
      event.type === 'AttendeeJoined' ? this.open(r, slot, event.at) : this.close(r, slot, event.at);
    if (changed && event.type === 'AttendeeDropped') r.drops++;
    // A deletion after the leave closes nothing and is no duplicate: the service sends both.
    if (changed || event.type === 'AttendeeDeleted') {
      slot.lastAt = event.at;
      this.events.applied++;
    } else this.events.duplicate++;
    return changed;
  }

  /** An event for no attendee of this generation (another meeting, an unknown user): counted, not applied. */
  ignore(event: MeetingEvent): void {
    if (!this.seen(event.id)) this.events.stale++;
  }

  /** A meeting-wide event (started, ended): remembered for duplicates; `closeMeeting` does the ending. */
  meetingEvent(event: MeetingEvent): boolean {
    if (this.seen(event.id)) return false;
    this.events.applied++;
    return true;
  }

  /** Closes the connections `which` names (a meeting ended, the generation released) at `at`. */
  closeWhere(at: number, which: (externalUserId: string, slot: Slot) => boolean): void {
    for (const [id, r] of this.records) {
      for (const slot of ['seat', 'promoted'] as const) {
        const c = r[slot];
        if (c?.since !== undefined && which(id, slot) && at >= c.lastAt) {
          this.close(r, c, at);
          c.lastAt = at;
        }
      }
    }
  }

  counts(): AttendanceCounts {
    let connected = 0;
    let joined = 0;
    let dropped = 0;
    for (const r of this.records.values()) {
      if (r.openSince !== undefined) connected++;
      if (r.joins > 0) joined++;
      dropped += r.drops;
    }
    return { connected, joined, dropped };
  }

  /** The totals for the result; open connections count up to `at`. */
  totals(at: number, invited: number, stored: number): AttendanceTotals {
    let connectedMs = 0;
    for (const r of this.records.values()) {
      connectedMs += r.connectedMs + (r.openSince !== undefined ? Math.max(0, at - r.openSince) : 0);
    }
    return {
      ...this.counts(),
      invited,
      connectedSeconds: Math.round(connectedMs / 1000),
      events: { ...this.events },
      stored,
    };
  }

  /**
   * The report's rows: every attendee `everyone` lists (the roster, with the role it has now), plus anyone with
   * a record who left the roster. Open connections count up to `at`.
   */
  reportRows(everyone: { externalUserId: string; role: AttendeeRole }[], at: number): AttendanceRecord[] {
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    const rows = new Map<string, AttendanceRecord>();
    const row = (
      externalUserId: string,
      role: AttendeeRole,
      r: AttendeeState | undefined,
    ): AttendanceRecord => {
      const openMs = r?.openSince !== undefined ? Math.max(0, at - r.openSince) : 0;
      return {
        externalUserId,
        role,
        firstJoinAt: iso(r?.firstJoinAt),
        lastLeaveAt: iso(r?.lastLeaveAt),
        connectedSeconds: Math.round(((r?.connectedMs ?? 0) + openMs) / 1000),
        joins: r?.joins ?? 0,
        drops: r?.drops ?? 0,
      };
    };
    for (const { externalUserId, role } of everyone) {
      rows.set(externalUserId, row(externalUserId, role, this.records.get(externalUserId)));
    }
    for (const [id, r] of this.records) if (!rows.has(id)) rows.set(id, row(id, r.role, r));
    return [...rows.values()];
  }

  /** Packs the records; `positionOf` names an attendee of the roster by its position, shorter than its ID. */
  encode(positionOf: (externalUserId: string) => number | undefined = () => undefined): PackedAttendance {
    let base = Number.POSITIVE_INFINITY;
    for (const r of this.records.values()) base = Math.min(base, r.firstJoinAt ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(base)) base = 0;
    const rel = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? -1 : t - base);
    const relSeconds = (t: number | undefined) => (t === undefined ? -1 : Math.floor((t - base) / 1000));
    const packed: PackedAttendance = {
      base,
      keys: [],
      columns: COLUMNS.map(() => []),
      events: { ...this.events },
    };
    for (const [id, r] of this.records) {
      packed.keys.push(positionOf(id) ?? id);
      const row = [
        ROLE_CODES[r.role],
        relSeconds(r.firstJoinAt),
        relSeconds(r.lastLeaveAt),
        r.connectedMs,
        rel(r.openSince),
        r.joins,
        r.drops,
        (r.seat?.since !== undefined ? 1 : 0) + (r.promoted?.since !== undefined ? 2 : 0),
        lastAtAfter(r, Math.max(r.seat?.lastAt ?? -Infinity, r.promoted?.lastAt ?? -Infinity), base),
      ];
      row.forEach((v, i) => packed.columns[i]?.push(v));
    }
    return packed;
  }

  static decode(
    packed: PackedAttendance | undefined,
    idAt: (position: number) => string | undefined = () => undefined,
  ): Attendance {
    const a = new Attendance();
    if (!packed) return a;
    Object.assign(a.events, packed.events);
    const abs = (v: number | undefined) => (v !== undefined && v >= 0 ? packed.base + v : undefined);
    packed.keys.forEach((key, i) => {
      const id = typeof key === 'number' ? idAt(key) : key;
      if (id === undefined) return;
      const [role, first, last, connectedMs, open, joins, drops, flags = 0, lastAt] = packed.columns.map(
        (column) => column[i],
      );
      const r: AttendeeState = {
        role: ROLES[role ?? 2] ?? 'viewer',
        connectedMs: connectedMs ?? 0,
        joins: joins ?? 0,
        drops: drops ?? 0,
      };
      const seconds = (v: number | undefined) => (v !== undefined && v >= 0 ? v * 1000 : undefined);
      const times = {
        firstJoinAt: abs(seconds(first)),
        lastLeaveAt: abs(seconds(last)),
        openSince: abs(open),
      };
      for (const [k, t] of Object.entries(times)) if (t !== undefined) r[k as keyof typeof times] = t;
      const since = abs(open) ?? packed.base;
      const latest =
        lastAt === undefined || lastAt < 0
          ? Number.NEGATIVE_INFINITY
          : lastAt + (r.openSince ?? (r.lastLeaveAt !== undefined ? r.lastLeaveAt : packed.base));
      r.seat = { lastAt: latest, ...(flags & 1 ? { since } : {}) };
      r.promoted = { lastAt: latest, ...(flags & 2 ? { since } : {}) };
      a.records.set(id, r);
    });
    return a;
  }

  private seen(id: string): boolean {
    if (this.recentIds.has(id)) {
      this.events.duplicate++;
      return true;
    }
    this.recentIds.add(id);
    if (this.recentIds.size > RECENT_EVENT_IDS) {
      // A Set iterates in insertion order: the oldest goes first.
      const oldest = this.recentIds.values().next().value;
      if (oldest !== undefined) this.recentIds.delete(oldest);
    }
    return false;
  }

  private recordOf(target: EventTarget): AttendeeState {
    let r = this.records.get(target.externalUserId);
    if (!r) {
      r = { role: target.role, connectedMs: 0, joins: 0, drops: 0 };
      this.records.set(target.externalUserId, r);
    }
    r.role = target.role;
    return r;
  }

  private open(r: AttendeeState, c: Connection, at: number): boolean {
    if (c.since !== undefined) return false;
    c.since = at;
    r.joins++;
    if (r.firstJoinAt === undefined || at < r.firstJoinAt) r.firstJoinAt = at;
    r.openSince ??= at;
    return true;
  }

  private close(r: AttendeeState, c: Connection, at: number): boolean {
    if (c.since === undefined) return false;
    c.since = undefined;
    r.lastLeaveAt = Math.max(r.lastLeaveAt ?? at, at);
    const other = r.seat === c ? r.promoted : r.seat;
    if (other?.since === undefined && r.openSince !== undefined) {
      r.connectedMs += Math.max(0, at - r.openSince);
      r.openSince = undefined;
    }
    return true;
  }
}
