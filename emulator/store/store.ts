/**
 * The state store: live meetings with their attendees, the token index, per-Region live counts, auto-end
 * deadlines and what was created. Operations read and change meetings only through it, synchronously, so a
 * check and the change it guards never interleave with another request.
 */
import type { EmulatedClock } from '../clock';
import type { EmulatorConfig } from '../config';
import { notFound } from '../errors';
import type { StoreEvent } from '../events/events';
import { CreationLedger, type CreationTotals } from './ledger';
import type { AttendeeRecord, MeetingRecord } from './records';

export interface MeetingSummary {
  meetingId: string;
  controlRegion: string;
  mediaRegion: string;
  externalMeetingId: string;
  primaryMeetingId?: string;
  role: 'primary' | 'replica';
  /** Number of attendees (created and not deleted). */
  attendees: number;
  /** Number of attendees connected through the admin API. */
  connected: number;
  transcription: 'ON' | 'OFF';
  /** ISO-8601, emulated time. */
  createdAt: string;
}

export interface StoreTotals {
  meetingsCreated: number;
  attendeesCreated: number;
  meetingsEnded: number;
}

export class MeetingStore {
  private meetings = new Map<string, MeetingRecord>();
  private byToken = new Map<string, string>();
  private liveByRegion = new Map<string, number>();
  private nextDeadline = Infinity;
  private counts: StoreTotals = { meetingsCreated: 0, attendeesCreated: 0, meetingsEnded: 0 };
  private ledger = new CreationLedger();

  constructor(
    private readonly clock: EmulatedClock,
    private readonly config: () => EmulatorConfig,
    /** Receives the meeting events (connections, deletions, starts and ends), synchronously, in order. */
    private readonly emit: (e: StoreEvent) => void = () => undefined,
  ) {}

  clear(): void {
    this.meetings.clear();
    this.byToken.clear();
    this.liveByRegion.clear();
    this.nextDeadline = Infinity;
    this.counts = { meetingsCreated: 0, attendeesCreated: 0, meetingsEnded: 0 };
    this.ledger = new CreationLedger();
  }

  /** Deadlines depend on the config: the next sweep looks at every meeting again. */
  recomputeDeadlines(): void {
    this.nextDeadline = -Infinity;
  }

  // ------------------------------------------------------------------ lookups

  get(meetingId: string): MeetingRecord | undefined {
    return this.meetings.get(meetingId);
  }

  /** The live meeting of this control Region, else NotFound (a meeting is invisible from other Regions). */
  meeting(region: string, meetingId: string): MeetingRecord {
    const m = this.meetings.get(meetingId);
    if (!m || m.controlRegion !== region) throw notFound(`The meeting ${meetingId} does not exist`);
    return m;
  }

  attendee(m: MeetingRecord, attendeeId: string): AttendeeRecord {
    const a = m.attendees.get(attendeeId);
    if (!a) throw notFound(`The attendee ${attendeeId} does not exist in meeting ${m.meetingId}`);
    return a;
  }

  /** The live meeting a token created, if any. */
  byTokenKey(tokenKey: string): MeetingRecord | undefined {
    const id = this.byToken.get(tokenKey);
    return id ? this.meetings.get(id) : undefined;
  }

  liveIn(region: string): number {
    return this.liveByRegion.get(region) ?? 0;
  }

  // ------------------------------------------------------------------ changes

  addMeeting(m: MeetingRecord): void {
    this.meetings.set(m.meetingId, m);
    this.byToken.set(m.tokenKey, m.meetingId);
    this.liveByRegion.set(m.controlRegion, this.liveIn(m.controlRegion) + 1);
    if (m.primaryMeetingId) this.meetings.get(m.primaryMeetingId)?.replicas.add(m.meetingId);
    this.nextDeadline = Math.min(this.nextDeadline, this.deadlineOf(m));
    this.counts.meetingsCreated++;
    this.ledger.meetingCreated(m.tokenKey);
  }

  /** Ends a meeting and, if it is a primary, its replicas: chime:MeetingEnded for each, the primary's first. */
  endMeeting(m: MeetingRecord, at = this.clock.now()): void {
    if (!this.meetings.delete(m.meetingId)) return;
    this.emit({ type: 'chime:MeetingEnded', meeting: m, at });
    if (this.byToken.get(m.tokenKey) === m.meetingId) this.byToken.delete(m.tokenKey);
    this.liveByRegion.set(m.controlRegion, this.liveIn(m.controlRegion) - 1);
    this.counts.meetingsEnded++;
    this.ledger.meetingEnded(m.meetingId);
    if (m.primaryMeetingId) this.meetings.get(m.primaryMeetingId)?.replicas.delete(m.meetingId);
    for (const replicaId of m.replicas) {
      const replica = this.meetings.get(replicaId);
      if (replica) this.endMeeting(replica, at);
    }
  }

  addAttendee(m: MeetingRecord, a: AttendeeRecord): void {
    m.attendees.set(a.attendeeId, a);
    m.byExternalUserId.set(a.externalUserId, a);
    this.counts.attendeesCreated++;
    this.ledger.attendeeCreated(m.meetingId, a.externalUserId);
  }

  /** Deletes an attendee: chime:AttendeeLeft first if it was connected, then chime:AttendeeDeleted. */
  deleteAttendee(m: MeetingRecord, a: AttendeeRecord): void {
    m.attendees.delete(a.attendeeId);
    m.byExternalUserId.delete(a.externalUserId);
    this.ledger.attendeeDeleted(m.meetingId, a.externalUserId);
    const at = this.clock.now();
    if (this.dropConnection(m, a.attendeeId))
      this.emit({ type: 'chime:AttendeeLeft', meeting: m, attendee: a, at });
    this.emit({ type: 'chime:AttendeeDeleted', meeting: m, attendee: a, at });
  }

  /**
   * Connects an attendee (the admin API): chime:AttendeeJoined, preceded by chime:MeetingStarted for the
   * meeting's first. Returns false, with no event, when it was connected already.
   */
  connect(meetingId: string, attendeeId: string): boolean {
    const m = this.adminMeeting(meetingId, attendeeId);
    if (m.connected.has(attendeeId)) return false;
    m.connected.add(attendeeId);
    const at = this.clock.now();
    if (!m.started) {
      m.started = true;
      this.emit({ type: 'chime:MeetingStarted', meeting: m, at });
    }
    this.emit({ type: 'chime:AttendeeJoined', meeting: m, attendee: m.attendees.get(attendeeId), at });
    return true;
  }

  /**
   * Disconnects an attendee: chime:AttendeeLeft (it left) or chime:AttendeeDropped (its connection was lost).
   * Returns false, with no event, when it was not connected.
   */
  disconnect(meetingId: string, attendeeId: string, how: 'left' | 'dropped' = 'left'): boolean {
    const m = this.adminMeeting(meetingId, attendeeId);
    if (!this.dropConnection(m, attendeeId)) return false;
    const type = how === 'left' ? 'chime:AttendeeLeft' : 'chime:AttendeeDropped';
    this.emit({ type, meeting: m, attendee: m.attendees.get(attendeeId), at: this.clock.now() });
    return true;
  }

  // ------------------------------------------------------------------ auto-end

  /** Ends meetings whose idle or maximum time is over. Cheap unless a deadline has passed. */
  sweep(): void {
    const now = this.clock.now();
    if (now < this.nextDeadline) return;
    let next = Infinity;
    for (const m of this.meetings.values()) {
      if (!this.meetings.has(m.meetingId)) continue;
      const deadline = this.deadlineOf(m);
      if (deadline <= now) this.endMeeting(m, deadline);
      else next = Math.min(next, deadline);
    }
    this.nextDeadline = next;
  }

  private deadlineOf(m: MeetingRecord): number {
    const { idleMinutes, maxHours } = this.config().autoEnd;
    const max = m.createdAt + maxHours * 3_600_000;
    if (m.primaryMeetingId === undefined && m.connected.size === 0) {
      return Math.min(max, m.idleSince + idleMinutes * 60_000);
    }
    return max;
  }

  /** Whether the attendee was connected. */
  private dropConnection(m: MeetingRecord, attendeeId: string): boolean {
    if (!m.connected.delete(attendeeId)) return false;
    if (m.connected.size > 0) return true;
    m.idleSince = this.clock.now();
    this.nextDeadline = Math.min(this.nextDeadline, this.deadlineOf(m));
    return true;
  }

  private adminMeeting(meetingId: string, attendeeId: string): MeetingRecord {
    this.sweep();
    const m = this.meetings.get(meetingId);
    if (!m) throw notFound(`meeting ${meetingId} not found`);
    if (!m.attendees.has(attendeeId))
      throw notFound(`attendee ${attendeeId} not found in meeting ${meetingId}`);
    return m;
  }

  // ------------------------------------------------------------------ reading

  summaries(): MeetingSummary[] {
    return [...this.meetings.values()].map((m) => ({
      meetingId: m.meetingId,
      controlRegion: m.controlRegion,
      mediaRegion: m.mediaRegion,
      externalMeetingId: m.externalMeetingId,
      ...(m.primaryMeetingId ? { primaryMeetingId: m.primaryMeetingId } : {}),
      role: m.primaryMeetingId ? 'replica' : 'primary',
      attendees: m.attendees.size,
      connected: m.connected.size,
      transcription: m.transcription ? 'ON' : 'OFF',
      createdAt: new Date(m.createdAt).toISOString(),
    }));
  }

  totals(): StoreTotals {
    return { ...this.counts };
  }

  creations(): CreationTotals {
    return this.ledger.totals();
  }
}
