/**
 * Unit tests of the workflow's plain building blocks: the Roster (its transitions and its packed form for
 * continue-as-new), the state object's carry/restore, the Mutex and mapBounded. No server: these are pure.
 */
import { Mutex, mapBounded } from '../../workflows/concurrency';
import { Roster, type PackedRoster } from '../../workflows/roster';
import { carryState, restoreState, type CarriedState } from '../../workflows/state';

/** Placed in `meeting` and registered there as `attendeeId`. */
function seat(
  roster: Roster,
  id: string,
  meeting: 'primary' | `replica-${number}`,
  attendeeId: string,
): void {
  roster.placed(id, meeting);
  roster.registered(id, attendeeId);
}

const specs = [
  { externalUserId: 'host-1', role: 'host' as const },
  { externalUserId: 'viewer-1', role: 'viewer' as const, region: 'eu-west-1' },
  { externalUserId: 'viewer-2', role: 'viewer' as const },
];

describe('Roster', () => {
  it('owns the attendee transitions: placed, registered, failed, promoted, demoted, silenced, removed', () => {
    const roster = Roster.fromSpecs(specs);
    expect(roster.counts()).toEqual({ requested: 3, registered: 0, failed: 0 });
    expect(roster.speakers()).toEqual(['host-1']);

    seat(roster, 'host-1', 'primary', 'a-host');
    seat(roster, 'viewer-1', 'replica-1', 'a-v1');
    roster.placed('viewer-2', 'primary');
    roster.failed('viewer-2', 'ThrottlingException');
    expect(roster.counts()).toEqual({ requested: 3, registered: 2, failed: 1 });
    expect(roster.get('viewer-2')).toMatchObject({ state: 'failed', error: 'ThrottlingException' });

    roster.promoted('viewer-1', 'a-v1-in-primary');
    expect(roster.get('viewer-1')).toMatchObject({ speaking: true, promotedAttendeeId: 'a-v1-in-primary' });
    expect(roster.seatsTaken('primary')).toBe(3); // host, viewer-2 and viewer-1's promoted credentials
    roster.silenced('viewer-1');
    expect(roster.get('viewer-1')).toMatchObject({ speaking: false, promotedAttendeeId: 'a-v1-in-primary' });
    roster.promoted('viewer-1');
    roster.demoted('viewer-1');
    expect(roster.get('viewer-1')).toMatchObject({ speaking: false, promotedAttendeeId: undefined });

    roster.removed('viewer-1');
    expect(roster.get('viewer-1')).toMatchObject({ state: 'removed', attendeeId: undefined });
    expect(roster.counts().requested).toBe(2);
    expect(roster.inMeeting('replica-1')).toEqual([]);
  });

  it('resets every active attendee for a new generation and keeps removed ones removed', () => {
    const roster = Roster.fromSpecs(specs);
    seat(roster, 'host-1', 'primary', 'a-host');
    roster.removed('viewer-2');
    roster.resetRegistrations();
    expect(roster.get('host-1')).toMatchObject({
      state: 'pending',
      meeting: undefined,
      attendeeId: undefined,
    });
    expect(roster.get('viewer-2')?.state).toBe('removed');
  });

  it('names attendees by a stable roster position, never by external user ID', () => {
    const roster = Roster.fromSpecs(specs);
    expect(roster.ref('viewer-1')).toBe('attendee #1');
    expect(roster.ref('nobody')).toBeUndefined();
    roster.removed('viewer-1');
    roster.add([
      { externalUserId: 'late-1', role: 'viewer' },
      { externalUserId: 'viewer-1', role: 'viewer' },
    ]);
    expect(roster.ref('viewer-1')).toBe('attendee #1');
    expect(roster.ref('late-1')).toBe('attendee #3');
    expect(Roster.decode(roster.encode()).ref('late-1')).toBe('attendee #3');
  });

  it('encodes to tuples and decodes to the same roster, field for field', () => {
    const roster = Roster.fromSpecs(specs);
    seat(roster, 'host-1', 'primary', 'a-host');
    seat(roster, 'viewer-1', 'replica-2', 'a-v1');
    roster.promoted('viewer-1', 'a-v1-p');
    roster.failed('viewer-2', 'NoCapacity');
    const packed = roster.encode();
    expect(packed[1]).toEqual(['viewer-1', 'v', 'eu-west-1', 'replica-2', 'a-v1', 'r', '', 1, 'a-v1-p']);
    const decoded = Roster.decode(JSON.parse(JSON.stringify(packed)) as PackedRoster);
    for (const s of specs) expect(decoded.get(s.externalUserId)).toEqual(roster.get(s.externalUserId));
    expect(decoded.encode()).toEqual(packed);
    expect(JSON.stringify(roster)).toBe(JSON.stringify(packed));
  });

  it('packs a full-size roster of 10,250 attendees well under the 2 MB payload limit', () => {
    const roster = Roster.fromSpecs(
      Array.from({ length: 10_250 }, (_, i) => ({
        externalUserId: `viewer-with-a-long-id-${i}`,
        role: 'viewer' as const,
      })),
    );
    for (let i = 0; i < 10_250; i++) {
      roster.placed(`viewer-with-a-long-id-${i}`, `replica-${i % 40}`);
      roster.registered(
        `viewer-with-a-long-id-${i}`,
        `0f8f7e6d-5c4b-3a29-1807-${String(i).padStart(12, '0')}`,
      );
    }
    // The rest of the state and the spec share the 2 MiB with it: the roster keeps a quarter free.
    expect(JSON.stringify(roster.encode()).length).toBeLessThan(1_500_000);
  });
});

describe('the state object', () => {
  it('restores the CarriedState a run handed over, and carries it on unchanged', () => {
    // Without the optional fields (no teardownFailure, lastError or endReason).
    const old: CarriedState = {
      phase: 'LIVE',
      generation: 2,
      startAt: '2030-01-01T10:00:00.000Z',
      endAt: '2030-01-01T11:00:00.000Z',
      meetingsCheckedAt: Date.UTC(2030, 0, 1, 10, 5),
      meetings: [
        { key: 'primary', meetingId: 'm-1', region: 'us-east-1', meetingArn: 'arn:1' },
        { key: 'replica-1', meetingId: 'm-2', region: 'eu-west-1' },
      ],
      roster: [['host-1', 'h', '', 'primary', 'a-1', 'r', '', 1, '']],
      transcription: 'ON',
      transcriptionSettings: { LanguageCode: 'en-US' },
      rejected: [
        { action: 'demoteSpeaker', reason: 'demoteSpeaker: externalUserId is not an attendee', at: 'x' },
      ],
    };
    const state = restoreState(JSON.parse(JSON.stringify(old)) as CarriedState);
    expect(state.roster.get('host-1')).toMatchObject({
      attendeeId: 'a-1',
      speaking: true,
      meeting: 'primary',
    });
    expect(JSON.parse(JSON.stringify(carryState(state)))).toEqual(old);
  });
});

describe('Mutex', () => {
  it('runs callers one at a time, in the order they asked, and releases after a failure', async () => {
    const lock = new Mutex();
    const events: string[] = [];
    const step = (name: string, fail = false) =>
      lock.run(async () => {
        events.push(`${name} in`);
        await Promise.resolve();
        await Promise.resolve();
        events.push(`${name} out`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([step('a'), step('b', true), step('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('rejects with the first error, only after every item has settled', async () => {
    const done: number[] = [];
    const run = mapBounded([1, 2, 3, 4], 2, async (n) => {
      await Promise.resolve();
      if (n === 2 || n === 3) throw new Error(`item ${n}`);
      done.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('item 2');
    expect(done.sort()).toEqual([1, 4]);
  });

  it('handles an empty list', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});
