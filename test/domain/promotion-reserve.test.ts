/**
 * The primary's promotion reserve (domain/seats/): whatever the roster's size and the replica
 * setting, a valid plan leaves promotionReserve seats free in the primary, and late attendees never take them.
 */
import { type SeatOptions, type MeetingLoad, placeLateAttendee, planSeats } from '../../domain/seats';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE, MAX_REPLICAS } from '../../domain/limits';
import type { AttendeeSpec } from '../../domain/types';

const SEATS = ATTENDEES_PER_MEETING;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];

/** The demo's shape: a host and two speakers, viewers spread over three Regions (every 7th without one). */
function roster(size: number): AttendeeSpec[] {
  return Array.from({ length: size }, (_, i): AttendeeSpec => {
    if (i === 0) return { externalUserId: 'h', role: 'host', region: 'us-east-1' };
    if (i <= 2) return { externalUserId: `s${i}`, role: 'speaker', region: 'us-east-1' };
    const region = i % 7 === 0 ? undefined : REGIONS[i % REGIONS.length];
    return { externalUserId: `v${i}`, role: 'viewer', ...(region ? { region } : {}) };
  });
}

const input = (attendees: AttendeeSpec[]) => ({
  primaryRegion: 'us-east-1',
  replicaRegions: REGIONS.slice(1),
  attendees,
});

/**
 * Sizes to check at a replica setting: both sides of every meeting boundary, and every size from 1 up to the
 * capacity plus one where `every` says so (the default replica quota and the widest setting).
 */
function sizesFor(maxReplicas: number, reserve: number, every: boolean): number[] {
  const top = (maxReplicas + 1) * SEATS - reserve;
  const sizes = new Set<number>();
  if (every) for (let n = 1; n <= top + 1; n++) sizes.add(n);
  for (let k = 1; k <= maxReplicas + 1; k++) {
    for (const d of [-2, -1, 0, 1, 2]) {
      const n = k * SEATS - reserve + d;
      if (n >= 1 && n <= top + 1) sizes.add(n);
    }
  }
  return [...sizes];
}

describe('the reserve in the seat plan', () => {
  test.each([
    [DEFAULT_PROMOTION_RESERVE, true],
    [0, false],
    [37, false],
  ])(
    'reserve %i: at every maxReplicas from 0 to 40 (every size at 0-4 replicas, and at 40 for the default), a plan exists exactly when the roster and the reserve fit, and its primary keeps the reserve',
    (reserve, wide) => {
      let checked = 0;
      for (let maxReplicas = 0; maxReplicas <= MAX_REPLICAS; maxReplicas++) {
        const options: SeatOptions = { maxReplicas, promotionReserve: reserve };
        const every = maxReplicas <= 4 || (maxReplicas === MAX_REPLICAS && wide);
        for (const size of sizesFor(maxReplicas, reserve, every)) {
          const attendees = roster(size);
          const result = planSeats(input(attendees), options);
          const fits = size + reserve <= (maxReplicas + 1) * SEATS && 3 + reserve <= SEATS;
          expect({ size, maxReplicas, ok: result.ok }).toEqual({ size, maxReplicas, ok: fits });
          if (!result.ok) {
            if (reserve > 0) expect(result.message).toContain('promotionReserve');
            continue;
          }
          const { primary, replicas } = result.plan;
          expect({ size, maxReplicas, free: SEATS - primary.attendees.length >= reserve }).toEqual({
            size,
            maxReplicas,
            free: true,
          });
          expect(replicas.length).toBeLessThanOrEqual(maxReplicas);
          for (const replica of replicas) expect(replica.attendees.length).toBeLessThanOrEqual(SEATS);
          const seated = primary.attendees.length + replicas.reduce((sum, r) => sum + r.attendees.length, 0);
          expect(seated).toBe(size);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(wide ? 15_000 : 5_000);
    },
  );
});

describe('late attendees and promotions against the reserve', () => {
  const options: SeatOptions = { maxReplicas: 4, promotionReserve: DEFAULT_PROMOTION_RESERVE };

  /** Adds viewers one by one as the workflow does, promoting one replica viewer every 3rd addition. */
  function fill(promoteEvery: number): { loads: MeetingLoad[]; refused: number; promoted: number } {
    const loads: MeetingLoad[] = [{ key: 'primary', region: 'us-east-1', attendees: 3, promoted: 0 }];
    let refused = 0;
    let promoted = 0;
    const primary = loads[0] as MeetingLoad;
    for (let i = 0; i < 1_400; i++) {
      const region = REGIONS[i % REGIONS.length];
      const placement = placeLateAttendee(
        loads,
        { externalUserId: `late-${i}`, role: 'viewer', ...(region ? { region } : {}) },
        input([]),
        options,
      );
      if ('full' in placement) {
        refused++;
        continue;
      }
      const key = 'meeting' in placement ? placement.meeting : placement.newReplica.key;
      if ('newReplica' in placement) loads.push({ ...placement.newReplica, attendees: 0 });
      const load = loads.find((l) => l.key === key);
      if (load) load.attendees++;
      // A promotion takes a primary seat while the primary has one (the workflow's check).
      if (i % promoteEvery === 0 && key !== 'primary' && primary.attendees < SEATS) {
        primary.attendees++;
        primary.promoted = (primary.promoted ?? 0) + 1;
        promoted++;
      }
      const registered = primary.attendees - (primary.promoted ?? 0);
      expect(registered).toBeLessThanOrEqual(SEATS - DEFAULT_PROMOTION_RESERVE);
    }
    return { loads, refused, promoted };
  }

  test('viewers added one by one never take the reserve; 10 promotions always find their seats', () => {
    const { loads, refused, promoted } = fill(Number.MAX_SAFE_INTEGER);
    const primary = loads[0] as MeetingLoad;
    expect(primary.attendees).toBe(SEATS - DEFAULT_PROMOTION_RESERVE);
    expect(loads).toHaveLength(5);
    expect(refused).toBe(1_400 + 3 - (5 * SEATS - DEFAULT_PROMOTION_RESERVE));
    expect(promoted).toBe(0);
  });

  test('promotions use the reserve, not the attendees\u2019 seats: late viewers still fill the rest', () => {
    const { loads, promoted } = fill(3);
    const primary = loads[0] as MeetingLoad;
    expect(promoted).toBeGreaterThanOrEqual(DEFAULT_PROMOTION_RESERVE);
    expect(primary.attendees).toBe(SEATS);
  });

  test('a late host is refused beside a full primary, naming promotionReserve', () => {
    const loads: MeetingLoad[] = [
      { key: 'primary', region: 'us-east-1', attendees: SEATS - DEFAULT_PROMOTION_RESERVE },
    ];
    const placement = placeLateAttendee(
      loads,
      { externalUserId: 'late-host', role: 'host' },
      input([]),
      options,
    );
    expect(placement).toEqual({ full: expect.stringContaining('promotionReserve') as unknown });
  });
});
