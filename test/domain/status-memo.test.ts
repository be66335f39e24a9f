/**
 * The status memo's bounds and its reading (domain/status-memo.ts): under STATUS_MEMO_MAX_BYTES with the
 * longest value each field can take, `lastError` cut and scrubbed of external user IDs, and the WebinarStatus
 * shape a client builds from it.
 */
import {
  cutLastError,
  isStatusMemo,
  STATUS_MEMO_LAST_ERROR_CHARS,
  STATUS_MEMO_MAX_BYTES,
  statusFromMemo,
  type StatusMemo,
} from '../../domain/status-memo';
import { MEDIA_REGIONS } from '../../domain/regions';
import { Roster } from '../../workflows/roster';
import { memoErrorText } from '../../workflows/status-memo';

const longestRegion = [...MEDIA_REGIONS].sort((a, b) => b.length - a.length)[0] ?? '';
// The validator's longest instant: nine fraction digits and an offset.
const longestInstant = '2026-12-31T23:59:59.123456789+14:00';

function memo(overrides: Partial<StatusMemo> = {}): StatusMemo {
  const big = { requested: 10_250, registered: 10_250, failed: 10_250 };
  return {
    phase: 'TEARDOWN_FAILED',
    startAt: longestInstant,
    endAt: longestInstant,
    generation: 999_999,
    attendees: big,
    presenters: big,
    presentersReady: false,
    meetings: { count: 41, primaryRegion: longestRegion },
    speakers: 10_250,
    transcription: 'OFF',
    // Three UTF-8 bytes a character: the worst case for the byte size.
    lastError: cutLastError('語'.repeat(10_000)),
    updatedAt: new Date(Date.UTC(9999, 11, 31)).toISOString(),
    ...overrides,
  };
}

it('stays under the size bound with the longest value of every field', () => {
  const bytes = Buffer.byteLength(JSON.stringify({ status: memo() }));
  expect(bytes).toBeLessThan(STATUS_MEMO_MAX_BYTES);
});

it('cuts lastError, marking the cut', () => {
  expect(cutLastError('short')).toBe('short');
  const cut = cutLastError('x'.repeat(1_000));
  expect(cut).toHaveLength(STATUS_MEMO_LAST_ERROR_CHARS);
  expect(cut.endsWith('…')).toBe(true);
});

it('names an attendee in lastError by roster position, never by external user ID', () => {
  const roster = Roster.fromSpecs([
    { externalUserId: 'alice@example.com', role: 'host' },
    { externalUserId: 'bob-1234', role: 'viewer' },
    { externalUserId: 'bob', role: 'viewer' },
  ]);
  const text = memoErrorText(roster, 'BatchCreateAttendee refused bob-1234 and alice@example.com (bob-1234)');
  expect(text).not.toMatch(/alice|bob/);
  expect(text).toMatch(/attendee #\d+ and attendee #\d+ \(attendee #\d+\)/);
});

it('reads back as the WebinarStatus shape, with placeholders for what only the live query has', () => {
  const m = memo({ phase: 'LIVE', meetings: { count: 3, primaryRegion: 'us-east-1' }, speakers: 4 });
  expect(isStatusMemo(m)).toBe(true);
  expect(isStatusMemo({ phase: 'SLEEPING' })).toBe(false);
  expect(isStatusMemo(undefined)).toBe(false);
  const s = statusFromMemo('w-1', m);
  expect(s).toMatchObject({
    webinarId: 'w-1',
    phase: 'LIVE',
    source: 'memo',
    primary: { meetingId: '', region: 'us-east-1' },
    speakers: [],
    speakerCount: 4,
    meetingCount: 3,
    rejected: [],
    updatedAt: m.updatedAt,
  });
  expect(s.replicas).toHaveLength(2);
  expect(statusFromMemo('w-2', memo({ meetings: { count: 0, primaryRegion: null } })).primary).toBeNull();
});
