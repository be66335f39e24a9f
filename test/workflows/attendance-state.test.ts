/**
 * Attendance as the workflow keeps it (workflows/attendance.ts): exact under duplicates, stale and reordered
 * events, one stretch of time for an attendee connected twice, and the same after continue-as-new.
 */
import type { MeetingEvent, MeetingEventType } from '../../domain/meeting-events';
import { readMeetingEventBatch, readMeetingEventMessage } from '../../domain/meeting-events';
import { Attendance, type EventTarget, type PackedAttendance } from '../../workflows/attendance';
import { Roster } from '../../workflows/roster';

const T0 = Date.UTC(2030, 0, 1, 10, 0, 0);
let n = 0;

function event(type: MeetingEventType, atSeconds: number, externalUserId = 'alice'): MeetingEvent {
  return {
    id: `e-${++n}`,
    type,
    at: T0 + atSeconds * 1000,
    meetingId: 'm-1',
    attendeeId: `a-${externalUserId}`,
    externalUserId,
  };
}

const seat = (externalUserId = 'alice'): EventTarget => ({ externalUserId, role: 'viewer', slot: 'seat' });
const promoted = (externalUserId = 'alice'): EventTarget => ({
  externalUserId,
  role: 'viewer',
  slot: 'promoted',
});

describe('attendance', () => {
  it('counts a join, a drop, a rejoin and a leave exactly, and ignores a duplicate of each by event ID', () => {
    const a = new Attendance();
    const events = [
      event('AttendeeJoined', 0),
      event('AttendeeDropped', 60),
      event('AttendeeJoined', 90),
      event('AttendeeLeft', 300),
    ];
    for (const e of [...events, ...events]) a.apply(e, seat());
    expect(a.counts()).toEqual({ connected: 0, joined: 1, dropped: 1 });
    expect(a.reportRows([{ externalUserId: 'alice', role: 'viewer' }], T0 + 999_000)).toEqual([
      {
        externalUserId: 'alice',
        role: 'viewer',
        firstJoinAt: '2030-01-01T10:00:00.000Z',
        lastLeaveAt: '2030-01-01T10:05:00.000Z',
        connectedSeconds: 60 + 210,
        joins: 2,
        drops: 1,
      },
    ]);
    expect(a.totals(T0, 1, 0).events).toEqual({ applied: 4, duplicate: 4, stale: 0, invalid: 0 });
  });

  it('drops an event older than the connection last saw, even with a new event ID', () => {
    const a = new Attendance();
    a.apply(event('AttendeeJoined', 0), seat());
    a.apply(event('AttendeeLeft', 100), seat());
    // The same join delivered again with another ID (a replayed source): older than the leave.
    expect(a.apply(event('AttendeeJoined', 0), seat())).toBe(false);
    expect(a.counts()).toEqual({ connected: 0, joined: 1, dropped: 0 });
    expect(a.totals(T0 + 200_000, 1, 0).events.stale).toBe(1);
  });

  it('counts time once for a promoted viewer connected in its replica and in the primary at once', () => {
    const a = new Attendance();
    a.apply(event('AttendeeJoined', 0), seat());
    a.apply(event('AttendeeJoined', 100), promoted());
    a.apply(event('AttendeeLeft', 200), seat());
    expect(a.counts().connected).toBe(1);
    a.apply(event('AttendeeLeft', 400), promoted());
    const [row] = a.reportRows([{ externalUserId: 'alice', role: 'viewer' }], T0 + 500_000);
    expect(row).toMatchObject({ connectedSeconds: 400, joins: 2, drops: 0 });
  });

  it('closes open connections when their meeting ends, counting time up to the end', () => {
    const a = new Attendance();
    a.apply(event('AttendeeJoined', 0, 'alice'), seat('alice'));
    a.apply(event('AttendeeJoined', 30, 'bob'), seat('bob'));
    a.closeWhere(T0 + 60_000, (id) => id === 'bob');
    expect(a.counts()).toEqual({ connected: 1, joined: 2, dropped: 0 });
    // A leave of bob's from before the end, delivered late, changes nothing: the end closed it.
    expect(a.apply(event('AttendeeLeft', 50, 'bob'), seat('bob'))).toBe(false);
    const rows = a.reportRows([], T0 + 120_000);
    expect(rows.map((r) => [r.externalUserId, r.connectedSeconds])).toEqual([
      ['alice', 120],
      ['bob', 30],
    ]);
  });

  it('carries across continue-as-new by roster position, and goes on counting exactly', () => {
    const roster = Roster.fromSpecs([
      { externalUserId: 'alice', role: 'viewer' },
      { externalUserId: 'bob', role: 'host' },
    ]);
    const a = new Attendance();
    a.apply(event('AttendeeJoined', 0, 'alice'), seat('alice'));
    a.apply(event('AttendeeDropped', 10.5, 'alice'), seat('alice'));
    a.apply(event('AttendeeJoined', 20, 'alice'), seat('alice'));
    a.apply(event('AttendeeJoined', 5, 'bob'), { ...seat('bob'), role: 'host' });
    a.apply(event('AttendeeLeft', 65, 'bob'), { ...seat('bob'), role: 'host' });
    const packed = a.encode((id) => roster.position(id));
    expect(packed.keys).toEqual([0, 1]);
    const ids = roster.idsByPosition();
    const b = Attendance.decode(JSON.parse(JSON.stringify(packed)) as PackedAttendance, (p) => ids.get(p));
    expect(b.counts()).toEqual(a.counts());
    // A duplicate of the last join from before the hand-over, with a new ID, is stale in the new run.
    expect(b.apply(event('AttendeeJoined', 20, 'alice'), seat('alice'))).toBe(false);
    b.apply(event('AttendeeLeft', 80, 'alice'), seat('alice'));
    const everyone = [
      { externalUserId: 'alice', role: 'viewer' as const },
      { externalUserId: 'bob', role: 'host' as const },
    ];
    expect(b.reportRows(everyone, T0 + 100_000)).toEqual([
      {
        externalUserId: 'alice',
        role: 'viewer',
        firstJoinAt: '2030-01-01T10:00:00.000Z',
        lastLeaveAt: '2030-01-01T10:01:20.000Z',
        connectedSeconds: 71,
        joins: 2,
        drops: 1,
      },
      {
        externalUserId: 'bob',
        role: 'host',
        firstJoinAt: '2030-01-01T10:00:05.000Z',
        lastLeaveAt: '2030-01-01T10:01:05.000Z',
        connectedSeconds: 60,
        joins: 1,
        drops: 0,
      },
    ]);
  });

  it('keeps one record per attendee however many events arrive', () => {
    const a = new Attendance();
    for (let i = 0; i < 5_000; i++) {
      a.apply(event(i % 2 ? 'AttendeeLeft' : 'AttendeeJoined', i, `u-${i % 3}`), seat(`u-${i % 3}`));
    }
    expect(a.encode().keys).toHaveLength(3);
  });
});

describe('meeting events as the bridge and the workflow read them', () => {
  const envelope = (detail: Record<string, unknown>, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      version: '0',
      id: 'ev-1',
      'detail-type': 'Chime Meeting State Change',
      source: 'aws.chime',
      detail: {
        version: '0',
        eventType: 'chime:AttendeeJoined',
        timestamp: T0,
        meetingId: 'm-1',
        externalMeetingId: 'w1',
        attendeeId: 'a-1',
        externalUserId: 'alice',
        ...detail,
      },
      ...over,
    });

  it('reads an attendee event into the webinar it belongs to', () => {
    expect(readMeetingEventMessage(envelope({}))).toEqual({
      kind: 'event',
      webinarId: 'w1',
      event: {
        id: 'ev-1',
        type: 'AttendeeJoined',
        at: T0,
        meetingId: 'm-1',
        attendeeId: 'a-1',
        externalUserId: 'alice',
      },
    });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another source', envelope({}, { source: 'aws.s3' }), /not a Chime Meeting State Change/],
    ['no event ID', envelope({}, { id: '' }), /^id is missing/],
    ['no timestamp', envelope({ timestamp: 'soon' }), /detail.timestamp/],
    ['no webinar', envelope({ externalMeetingId: undefined }), /externalMeetingId/],
    ['an attendee event without its attendee', envelope({ attendeeId: undefined }), /detail.attendeeId/],
  ])('calls a message malformed when it has %s, naming the field', (_name, body, reason) => {
    const read = readMeetingEventMessage(body);
    expect(read.kind).toBe('malformed');
    expect(read.kind === 'malformed' ? read.reason : '').toMatch(reason);
  });

  it('ignores Chime events attendance does not use', () => {
    expect(readMeetingEventMessage(envelope({ eventType: 'chime:VideoTileAdded' }))).toEqual({
      kind: 'ignored',
      eventType: 'chime:VideoTileAdded',
    });
  });

  it('counts the bad events of a Signal and keeps the good ones', () => {
    const good = event('AttendeeJoined', 0);
    expect(
      readMeetingEventBatch({ events: [good, { ...good, at: -1 }, 'x', { ...good, type: 'Nope' }] }),
    ).toEqual({
      events: [good],
      invalid: 3,
    });
    expect(readMeetingEventBatch('nonsense')).toEqual({ events: [], invalid: 1 });
  });
});
