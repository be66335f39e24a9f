/**
 * The status read model: what the webinar publishes in its memo so a dashboard reads it through
 * `describe()` or a visibility list, without a worker and without a replay. Compact and bounded (under
 * STATUS_MEMO_MAX_BYTES whatever the roster), and free of external user IDs: counts, the primary's Region,
 * and the last error cut short with any attendee named by roster position. Pure: safe in the workflow sandbox.
 */
import type { WebinarPhase } from './phases';
import { isWebinarPhase } from './phases';
import type { AttendanceCounts, WebinarStatus } from './types';

/** The memo key the workflow upserts (beside the client's `specSha256`). */
export const STATUS_MEMO_KEY = 'status';
/** While registering, the memo is upserted at most once per this much workflow time (and at each round's end). */
export const STATUS_MEMO_PROGRESS_INTERVAL_MS = 5_000;
/** `lastError` in the memo is cut to this many characters. */
export const STATUS_MEMO_LAST_ERROR_CHARS = 200;
/** The memo's JSON stays under this size (tested with the longest values every field can take). */
export const STATUS_MEMO_MAX_BYTES = 2048;

export interface AttendeeCounts {
  requested: number;
  registered: number;
  failed: number;
}

export interface StatusMemo {
  phase: WebinarPhase;
  startAt: string;
  endAt: string;
  generation: number;
  attendees: AttendeeCounts;
  presenters: AttendeeCounts;
  presentersReady: boolean;
  /** Meetings of this generation (the primary and its replicas) and the primary's Region (null: none yet). */
  meetings: { count: number; primaryRegion: string | null };
  speakers: number;
  transcription: 'ON' | 'OFF';
  /** From Chime's meeting events; absent in memos of runs without them. */
  attendance?: AttendanceCounts;
  /** Cut to STATUS_MEMO_LAST_ERROR_CHARS; attendees named by roster position. */
  lastError?: string;
  /** Workflow time (ISO-8601) of this upsert. */
  updatedAt: string;
}

/** A status read through the client: the live query's fields, and where they came from. */
export type WebinarStatusRead = WebinarStatus & {
  /** 'memo': the published read model (no worker needed); 'query': the live `status` query. */
  source: 'memo' | 'query';
  /** Memo only: workflow time of its last upsert. */
  updatedAt?: string;
  meetingCount: number;
  speakerCount: number;
};

export function cutLastError(text: string): string {
  return text.length <= STATUS_MEMO_LAST_ERROR_CHARS
    ? text
    : `${text.slice(0, STATUS_MEMO_LAST_ERROR_CHARS - 1)}…`;
}

const NO_ATTENDANCE: AttendanceCounts = { connected: 0, joined: 0, dropped: 0 };

function attendanceOf(v: unknown): AttendanceCounts {
  const a = v as Partial<AttendanceCounts> | null | undefined;
  return typeof a === 'object' &&
    a !== null &&
    typeof a.connected === 'number' &&
    typeof a.joined === 'number' &&
    typeof a.dropped === 'number'
    ? { connected: a.connected, joined: a.joined, dropped: a.dropped }
    : { ...NO_ATTENDANCE };
}

function isCounts(v: unknown): v is AttendeeCounts {
  const c = v as Partial<AttendeeCounts> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.requested === 'number' &&
    typeof c.registered === 'number' &&
    typeof c.failed === 'number'
  );
}

export function isStatusMemo(v: unknown): v is StatusMemo {
  const m = v as Partial<StatusMemo> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    isWebinarPhase(m.phase) &&
    typeof m.startAt === 'string' &&
    typeof m.endAt === 'string' &&
    typeof m.generation === 'number' &&
    isCounts(m.attendees) &&
    typeof m.updatedAt === 'string'
  );
}

/**
 * The WebinarStatus shape from a memo. Only in the live query: meeting IDs (`primary.meetingId` is '' here,
 * `replicas` holds one placeholder per replica, with no ID, Region or seat count), the speakers' IDs
 * (`speakers` is empty; `speakerCount` counts them), `rejected` (empty) and `teardownFailure`.
 */
export function statusFromMemo(webinarId: string, memo: StatusMemo): WebinarStatusRead {
  const count = memo.meetings?.count ?? 0;
  const primaryRegion = memo.meetings?.primaryRegion ?? null;
  return {
    webinarId,
    phase: memo.phase,
    startAt: memo.startAt,
    endAt: memo.endAt,
    generation: memo.generation,
    primary: primaryRegion !== null ? { meetingId: '', region: primaryRegion } : null,
    replicas: Array.from({ length: Math.max(0, count - 1) }, () => ({
      meetingId: '',
      region: '',
      attendees: 0,
    })),
    attendees: { ...memo.attendees },
    presenters: isCounts(memo.presenters)
      ? { ...memo.presenters }
      : { requested: 0, registered: 0, failed: 0 },
    presentersReady: memo.presentersReady === true,
    speakers: [],
    transcription: memo.transcription === 'ON' ? 'ON' : 'OFF',
    rejected: [],
    attendance: attendanceOf(memo.attendance),
    ...(memo.lastError !== undefined ? { lastError: memo.lastError } : {}),
    source: 'memo',
    updatedAt: memo.updatedAt,
    meetingCount: count,
    speakerCount: typeof memo.speakers === 'number' ? memo.speakers : 0,
  };
}

/** The live query's answer with the read's extra fields. */
export function statusFromQuery(status: WebinarStatus): WebinarStatusRead {
  return {
    ...status,
    source: 'query',
    meetingCount: (status.primary ? 1 : 0) + status.replicas.length,
    speakerCount: status.speakers.length,
  };
}
