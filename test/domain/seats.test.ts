import { nearestRegion } from '../../domain/regions';
import { placeLateAttendee, planSeats, type SeatPlan, type MeetingLoad } from '../../domain/seats';
import { DEFAULT_PROMOTION_RESERVE } from '../../domain/limits';
import { MEDIA_REGIONS, REGION_COORDINATES, regionDistanceKm } from '../../domain/regions';
import type { AttendeeRole, AttendeeSpec } from '../../domain/types';

function people(
  count: number,
  role: AttendeeRole,
  region?: string,
  prefix = `${role}-${region ?? 'any'}`,
): AttendeeSpec[] {
  return Array.from({ length: count }, (_, i) =>
    region === undefined
      ? { externalUserId: `${prefix}-${i}`, role }
      : { externalUserId: `${prefix}-${i}`, role, region },
  );
}

function plan(
  attendees: AttendeeSpec[],
  replicaRegions: string[] = [],
  maxReplicas = 40,
  primaryRegion = 'us-east-1',
  promotionReserve = DEFAULT_PROMOTION_RESERVE,
): SeatPlan {
  const result = planSeats({ primaryRegion, replicaRegions, attendees }, { maxReplicas, promotionReserve });
  if (!result.ok) throw new Error(result.message);
  return result.plan;
}

function summary(p: SeatPlan): string[] {
  return [p.primary, ...p.replicas].map((m) => `${m.key}@${m.region}:${m.attendees.length}`);
}

function everyoneOnce(p: SeatPlan, attendees: AttendeeSpec[]): void {
  const placed = [p.primary, ...p.replicas].flatMap((m) => m.attendees.map((a) => a.externalUserId)).sort();
  expect(placed).toEqual(attendees.map((a) => a.externalUserId).sort());
}

describe('planSeats', () => {
  test('hosts and speakers always join the primary, even when viewers need replicas', () => {
    const attendees = [...people(400, 'viewer'), ...people(3, 'host'), ...people(5, 'speaker', 'eu-west-1')];
    const p = plan(attendees, ['eu-west-1']);
    const primaryIds = new Set(p.primary.attendees.map((a) => a.externalUserId));
    for (const a of attendees.filter((x) => x.role !== 'viewer'))
      expect(primaryIds.has(a.externalUserId)).toBe(true);
    for (const replica of p.replicas) expect(replica.attendees.every((a) => a.role === 'viewer')).toBe(true);
    everyoneOnce(p, attendees);
  });

  test('a small webinar fits in the primary alone: no replica is opened', () => {
    const attendees = [...people(2, 'host'), ...people(100, 'viewer', 'eu-west-1')];
    expect(summary(plan(attendees, ['eu-west-1']))).toEqual(['primary@us-east-1:102']);
  });

  test('the primary keeps its promotion reserve of 10 seats free', () => {
    const attendees = [...people(5, 'host'), ...people(240, 'viewer')];
    // 235 viewers fill the primary to 240; the other 5 open a replica in the primary's Region.
    expect(summary(plan(attendees))).toEqual(['primary@us-east-1:240', 'replica-0@us-east-1:5']);
  });

  test('a roster that needs every seat does not take the reserve: it is refused unless promotionReserve is lowered', () => {
    const attendees = [...people(5, 'host'), ...people(245, 'viewer')];
    const refused = planSeats(
      { primaryRegion: 'us-east-1', replicaRegions: [], attendees },
      { maxReplicas: 0 },
    );
    expect(!refused.ok && refused.message).toContain('lower promotionReserve');
    expect(summary(plan(attendees, [], 0, 'us-east-1', 0))).toEqual(['primary@us-east-1:250']);
  });

  test('the reserve is kept in full when the roster fills every other seat', () => {
    const attendees = [...people(10, 'host'), ...people(1230, 'viewer')];
    // 1,250 seats with 4 replicas, 1,240 attendees: the primary holds 240 beside its 10 reserved seats.
    const p = plan(attendees, [], 4);
    expect(p.primary.attendees).toHaveLength(240);
    expect(p.replicas.map((r) => r.attendees.length)).toEqual([250, 250, 250, 250]);
  });

  test('viewers of a listed Region go to a replica there; viewers without a Region fill the primary first', () => {
    const attendees = [
      ...people(300, 'viewer', 'eu-west-1'),
      ...people(2, 'host'),
      ...people(238, 'viewer'),
      ...people(300, 'viewer', 'ap-southeast-1'),
    ];
    const p = plan(attendees, ['eu-west-1', 'ap-southeast-1']);
    expect(p.primary.attendees.filter((a) => a.region === undefined)).toHaveLength(240);
    expect(summary(p)).toEqual([
      'primary@us-east-1:240',
      'replica-0@eu-west-1:250',
      'replica-1@ap-southeast-1:250',
      'replica-2@eu-west-1:50',
      'replica-3@ap-southeast-1:50',
    ]);
    for (const replica of p.replicas)
      expect(replica.attendees.every((a) => a.region === replica.region)).toBe(true);
  });

  test('the primary takes the viewers whose move saves a replica (fewest replicas)', () => {
    const attendees = [
      ...people(5, 'host'),
      ...people(300, 'viewer', 'eu-west-1'),
      ...people(300, 'viewer', 'ap-southeast-1'),
    ];
    // 235 free seats: moving 50 of each Region's 300 saves both partial replicas (2 replicas, not 4); the
    // other 135 seats go to the Region nearest the primary (eu-west-1).
    const p = plan(attendees, ['eu-west-1', 'ap-southeast-1']);
    expect(summary(p)).toEqual([
      'primary@us-east-1:240',
      'replica-0@ap-southeast-1:250',
      'replica-1@eu-west-1:115',
    ]);
    everyoneOnce(p, attendees);
  });

  test('viewers of an unlisted Region go to the listed Region nearest theirs', () => {
    // Enough viewers in each that a replica of their own is worth a meeting.
    const attendees = [
      ...people(240, 'viewer'),
      ...people(200, 'viewer', 'eu-central-1'), // Frankfurt: nearer London than Sao Paulo
      ...people(200, 'viewer', 'af-south-1'), // Cape Town: nearer Sao Paulo than London
    ];
    const p = plan(attendees, ['eu-west-2', 'sa-east-1']);
    const regionOf = (id: string) =>
      p.replicas.find((r) => r.attendees.some((a) => a.externalUserId === id))?.region;
    expect(regionOf('viewer-eu-central-1-0')).toBe('eu-west-2');
    expect(regionOf('viewer-af-south-1-0')).toBe('sa-east-1');
  });

  test('viewers without a Region overflow to the listed Region nearest the primary', () => {
    const attendees = people(300, 'viewer');
    expect(summary(plan(attendees, ['ap-northeast-1', 'us-west-2', 'eu-west-1']))).toEqual([
      'primary@us-east-1:240',
      'replica-0@us-west-2:60',
    ]);
  });

  test('without replicaRegions every replica is in the primary Region, each filled to 250', () => {
    const attendees = [...people(10, 'host'), ...people(1000, 'viewer', 'ap-south-1')];
    expect(summary(plan(attendees, [], 40, 'eu-central-1'))).toEqual([
      'primary@eu-central-1:240',
      'replica-0@eu-central-1:250',
      'replica-1@eu-central-1:250',
      'replica-2@eu-central-1:250',
      'replica-3@eu-central-1:20',
    ]);
  });

  test('the full size, 10,250 attendees with promotionReserve 0, fits exactly in 1 primary + 40 replicas of 250', () => {
    const attendees = [
      ...people(20, 'host'),
      ...people(30, 'speaker'),
      ...people(4000, 'viewer', 'eu-west-1'),
      ...people(3200, 'viewer', 'ap-northeast-1'),
      ...people(3000, 'viewer'),
    ];
    expect(attendees).toHaveLength(10250);
    const p = plan(attendees, ['eu-west-1', 'ap-northeast-1', 'us-west-2'], 40, 'us-east-1', 0);
    expect(p.replicas).toHaveLength(40);
    for (const meeting of [p.primary, ...p.replicas]) expect(meeting.attendees).toHaveLength(250);
    expect(p.replicas.map((r) => r.key)).toEqual(Array.from({ length: 40 }, (_, i) => `replica-${i}`));
    everyoneOnce(p, attendees);
  });

  test('10,241 attendees beside the default reserve are rejected with the numbers', () => {
    const result = planSeats(
      { primaryRegion: 'us-east-1', replicaRegions: [], attendees: people(10241, 'viewer') },
      { maxReplicas: 40 },
    );
    expect(result).toEqual({
      ok: false,
      message: expect.stringContaining(
        '10,241 attendees and a promotion reserve of 10 seats need 42 meetings of 250 but at most 41 are ' +
          'allowed (1 primary + 40 replicas)',
      ) as unknown,
    });
  });

  test('the default limit of 4 replicas admits 1,240 attendees beside the default reserve and rejects 1,241', () => {
    expect(plan(people(1240, 'viewer'), [], 4).replicas).toHaveLength(4);
    const result = planSeats(
      { primaryRegion: 'us-east-1', replicaRegions: [], attendees: people(1241, 'viewer') },
      { maxReplicas: 4 },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('at most 5 are allowed (1 primary + 4 replicas)');
  });

  test('more than 250 hosts and speakers are rejected', () => {
    const result = planSeats(
      {
        primaryRegion: 'us-east-1',
        replicaRegions: [],
        attendees: [...people(200, 'host'), ...people(51, 'speaker')],
      },
      { maxReplicas: 40 },
    );
    expect(!result.ok && result.message).toContain(
      '251 hosts and speakers must all join the primary meeting',
    );
  });

  test('when the replica budget runs out, a Region remainder goes to the nearest Region with room', () => {
    const attendees = [
      ...people(250, 'viewer'),
      ...people(300, 'viewer', 'eu-west-1'),
      ...people(100, 'viewer', 'eu-west-2'),
      ...people(30, 'viewer', 'ap-southeast-2'),
    ];
    // 680 viewers and 2 replicas allowed: the Regions alone would want 4 replicas (eu-west-1 2, the others 1).
    const p = plan(attendees, ['eu-west-1', 'eu-west-2', 'ap-southeast-2'], 2);
    expect(p.replicas.length).toBe(2);
    everyoneOnce(p, attendees);
    for (const meeting of [p.primary, ...p.replicas])
      expect(meeting.attendees.length).toBeLessThanOrEqual(250);
  });

  test('overflow lands in the nearest Region that still has room', () => {
    const attendees = [
      ...people(250, 'viewer'),
      ...people(200, 'viewer', 'eu-west-1'),
      ...people(20, 'viewer', 'eu-west-2'),
      ...people(20, 'viewer', 'ap-southeast-2'),
    ];
    // 490 attendees fit 500 seats with the reserve kept: the primary holds 240 without a Region, the other
    // 10 join eu-west-1 (the listed Region nearest the primary). One replica allowed: eu-west-1 (the largest
    // remainder, 210) opens it; the London and Sydney viewers overflow into it, the only Region with room.
    const p = plan(attendees, ['eu-west-1', 'eu-west-2', 'ap-southeast-2'], 1);
    expect(summary(p)).toEqual(['primary@us-east-1:240', 'replica-0@eu-west-1:250']);
    expect(p.replicas[0]?.attendees.filter((a) => a.region === 'ap-southeast-2')).toHaveLength(20);
  });

  test('the same input always gives the same plan (replay safety)', () => {
    const attendees = [
      ...people(7, 'host'),
      ...people(900, 'viewer', 'sa-east-1'),
      ...people(700, 'viewer'),
      ...people(333, 'viewer', 'ap-south-1'),
    ];
    const first = plan(attendees, ['us-east-2', 'ap-south-1', 'eu-west-3'], 12);
    const second = plan(
      attendees.map((a) => ({ ...a })),
      ['us-east-2', 'ap-south-1', 'eu-west-3'],
      12,
    );
    expect(second).toEqual(first);
  });

  test('plans 10,240 attendees over 40 replicas beside the default reserve, everyone seated once', () => {
    const regions = MEDIA_REGIONS.filter((r) => !r.startsWith('us-gov'));
    const attendees = Array.from({ length: 10240 }, (_, i): AttendeeSpec => {
      const region = i % 5 === 0 ? undefined : regions[i % regions.length];
      return region === undefined
        ? { externalUserId: `u${i}`, role: i < 50 ? 'host' : 'viewer' }
        : { externalUserId: `u${i}`, role: i < 50 ? 'host' : 'viewer', region };
    });
    const p = plan(attendees, ['eu-west-1', 'ap-southeast-1', 'us-west-2', 'sa-east-1'], 40);
    expect(p.replicas).toHaveLength(40);
    everyoneOnce(p, attendees);
  });
});

describe('placeLateAttendee', () => {
  const input = { primaryRegion: 'us-east-1', replicaRegions: ['eu-west-1', 'ap-southeast-1'] };
  const options = { maxReplicas: 3 };
  const load = (key: MeetingLoad['key'], region: string, attendees: number): MeetingLoad => ({
    key,
    region,
    attendees,
  });
  const viewer = (region?: string): AttendeeSpec =>
    region === undefined
      ? { externalUserId: 'late', role: 'viewer' }
      : { externalUserId: 'late', role: 'viewer', region };

  test('a late host joins the primary while it has a seat short of the reserve, and is refused after, naming promotionReserve', () => {
    const host: AttendeeSpec = { externalUserId: 'h', role: 'host' };
    expect(placeLateAttendee([load('primary', 'us-east-1', 239)], host, input, options)).toEqual({
      meeting: 'primary',
    });
    expect(placeLateAttendee([load('primary', 'us-east-1', 240)], host, input, options)).toEqual({
      full: expect.stringContaining('no seat left beside its promotion reserve') as unknown,
    });
  });

  test('without a reserve a late speaker takes any seat of the primary, and is refused when it is full', () => {
    const speaker: AttendeeSpec = { externalUserId: 's', role: 'speaker' };
    const noReserve = { ...options, promotionReserve: 0 };
    expect(placeLateAttendee([load('primary', 'us-east-1', 249)], speaker, input, noReserve)).toEqual({
      meeting: 'primary',
    });
    expect(placeLateAttendee([load('primary', 'us-east-1', 250)], speaker, input, noReserve)).toEqual({
      full: expect.stringContaining('primary meeting is full') as unknown,
    });
  });

  test('a late viewer joins a replica of their Region that has room', () => {
    const meetings = [
      load('primary', 'us-east-1', 100),
      load('replica-0', 'eu-west-1', 250),
      load('replica-1', 'eu-west-1', 10),
    ];
    expect(placeLateAttendee(meetings, viewer('eu-west-1'), input, options)).toEqual({
      meeting: 'replica-1',
    });
  });

  test('a late viewer without a replica in their Region takes the primary while it keeps its reserve', () => {
    expect(
      placeLateAttendee([load('primary', 'us-east-1', 239)], viewer('ap-southeast-1'), input, options),
    ).toEqual({
      meeting: 'primary',
    });
  });

  test('a late viewer takes a free seat in another Region before a new replica opens in theirs', () => {
    const meetings = [load('primary', 'us-east-1', 240), load('replica-0', 'eu-west-1', 30)];
    expect(placeLateAttendee(meetings, viewer('ap-south-1'), input, options)).toEqual({
      meeting: 'replica-0',
    });
    // Every seat short of the primary's reserve taken: a replica opens in the viewer's target Region.
    const taken = [load('primary', 'us-east-1', 240), load('replica-0', 'eu-west-1', 250)];
    expect(placeLateAttendee(taken, viewer('ap-south-1'), input, options)).toEqual({
      newReplica: { key: 'replica-1', region: 'ap-southeast-1' },
    });
  });

  test('without budget for a new replica, a late viewer goes to the nearest Region with room', () => {
    const meetings = [
      load('primary', 'us-east-1', 240),
      load('replica-0', 'eu-west-1', 250),
      load('replica-1', 'ap-southeast-1', 100),
      load('replica-2', 'eu-west-1', 249),
    ];
    expect(placeLateAttendee(meetings, viewer('eu-west-1'), input, options)).toEqual({
      meeting: 'replica-2',
    });
    const full = meetings.map((m) => (m.key === 'replica-2' ? { ...m, attendees: 250 } : m));
    expect(placeLateAttendee(full, viewer('eu-west-1'), input, options)).toEqual({ meeting: 'replica-1' });
  });

  test('when every replica is full and no replica may open, the primary seats viewers up to its reserve, then the webinar is full', () => {
    const meetings = [
      load('primary', 'us-east-1', 239),
      load('replica-0', 'eu-west-1', 250),
      load('replica-1', 'ap-southeast-1', 250),
      load('replica-2', 'eu-west-1', 250),
    ];
    expect(placeLateAttendee(meetings, viewer('eu-west-1'), input, options)).toEqual({ meeting: 'primary' });
    const result = placeLateAttendee(
      [{ ...meetings[0]!, attendees: 240 }, ...meetings.slice(1)],
      viewer('eu-west-1'),
      input,
      options,
    );
    expect(result).toEqual({
      full: expect.stringContaining(
        "every meeting is full: 1 primary + 3 replicas hold 1,000 attendees (the primary's 10 promotion-reserve seats apart)",
      ) as unknown,
    });
  });

  test('new replica keys continue after the highest existing one', () => {
    const meetings = [load('primary', 'us-east-1', 250), load('replica-4', 'eu-west-1', 250)];
    expect(placeLateAttendee(meetings, viewer('eu-west-1'), input, options)).toEqual({
      newReplica: { key: 'replica-5', region: 'eu-west-1' },
    });
  });
});

describe('nearestRegion', () => {
  test('every media Region has coordinates', () => {
    for (const region of MEDIA_REGIONS) expect(REGION_COORDINATES[region]).toBeDefined();
  });

  test('a Region is nearest to itself; otherwise by great-circle distance', () => {
    expect(nearestRegion('eu-west-1', ['us-east-1', 'eu-west-1'])).toBe('eu-west-1');
    expect(nearestRegion('ap-northeast-2', ['ap-northeast-1', 'ap-southeast-1', 'us-west-2'])).toBe(
      'ap-northeast-1',
    );
    expect(nearestRegion('sa-east-1', ['eu-west-1', 'us-east-1'])).toBe('us-east-1');
    expect(nearestRegion('sa-east-1', ['us-east-1', 'af-south-1'])).toBe('af-south-1');
    expect(Math.round(regionDistanceKm('eu-west-2', 'us-east-1') ?? 0)).toBeGreaterThan(5500);
  });

  test('ties and unknown Regions are decided by Region name, whatever the candidate order', () => {
    expect(nearestRegion('nowhere-1', ['us-west-2', 'eu-west-1', 'ap-south-1'])).toBe('ap-south-1');
    expect(nearestRegion('nowhere-1', ['eu-west-1', 'ap-south-1', 'us-west-2'])).toBe('ap-south-1');
    expect(nearestRegion('us-east-1', [])).toBe('us-east-1');
  });
});
