/**
 * Publishing the status read model (domain/status-memo.ts) with upsertMemo: on every phase change (and at each
 * run's start and each reschedule, with the search attributes), after an operator action that changed it, and
 * while registering at most once per STATUS_MEMO_PROGRESS_INTERVAL_MS of workflow time plus at each round's end.
 * An upsert whose content (all but `updatedAt`) equals the last one is skipped: no command.
 */
import { upsertMemo } from '@temporalio/workflow';
import {
  cutLastError,
  STATUS_MEMO_KEY,
  STATUS_MEMO_PROGRESS_INTERVAL_MS,
  type StatusMemo,
} from '../domain/status-memo';
import type { WebinarPhase } from '../domain/phases';
import type { Webinar } from './context';
import type { Roster } from './roster';
import type { MemoPublisher } from './run-local';

/** The error as the memo shows it: cut short, an attendee named by its roster position, never by its ID. */
export function memoErrorText(roster: Roster, lastError: string): string {
  // Longest first: an ID inside a longer one ('bob' in 'bob-1234') must not leave the longer one's rest.
  const named = roster
    .active()
    .map((e) => e.externalUserId)
    .filter((id) => id !== '' && lastError.includes(id))
    .sort((a, b) => b.length - a.length);
  let text = lastError;
  for (const id of named) text = text.split(id).join(roster.ref(id) ?? 'an attendee');
  return cutLastError(text);
}

/** memoErrorText, computed once per error (it scans the roster). */
function memoError(roster: Roster, publisher: MemoPublisher, lastError: string): string {
  if (publisher.scrubbed?.from !== lastError) {
    publisher.scrubbed = { from: lastError, to: memoErrorText(roster, lastError) };
  }
  return publisher.scrubbed.to;
}

export function statusMemoOf(w: Webinar): Omit<StatusMemo, 'updatedAt'> {
  const { state, roster } = w;
  const primary = w.primary();
  const presenters = roster.counts('presenters');
  return {
    phase: state.phase,
    startAt: state.startAt,
    endAt: state.endAt,
    generation: state.generation,
    attendees: roster.counts(),
    presenters,
    presentersReady: primary !== undefined && presenters.registered === presenters.requested,
    meetings: { count: state.meetings.length, primaryRegion: primary?.region ?? null },
    speakers: roster.active().filter((e) => e.speaking).length,
    transcription: state.transcription,
    attendance: state.attendance.counts(),
    ...(state.lastError !== undefined ? { lastError: memoError(roster, w.local.memo, state.lastError) } : {}),
  };
}

/** Upserts the memo now, unless it says what the last upsert said. */
export function publishStatus(w: Webinar): void {
  const content = statusMemoOf(w);
  const key = JSON.stringify(content);
  if (key === w.local.memo.last) return;
  const now = Date.now();
  const memo: StatusMemo = { ...content, updatedAt: new Date(now).toISOString() };
  upsertMemo({ [STATUS_MEMO_KEY]: memo });
  w.local.memo.last = key;
  w.local.memo.at = now;
}

/** While registering: upserts when the last upsert is STATUS_MEMO_PROGRESS_INTERVAL_MS of workflow time old. */
export function publishProgress(w: Webinar): void {
  if (Date.now() - w.local.memo.at >= STATUS_MEMO_PROGRESS_INTERVAL_MS) publishStatus(w);
}

/** The memo of a run whose input failed validation: FAILED from the start, nothing else known. */
export function invalidInputMemo(startAt: string, endAt: string, lastError: string): StatusMemo {
  const none = { requested: 0, registered: 0, failed: 0 };
  const phase: WebinarPhase = 'FAILED';
  return {
    phase,
    startAt: startAt.slice(0, 64),
    endAt: endAt.slice(0, 64),
    generation: 1,
    attendees: none,
    presenters: none,
    presentersReady: false,
    meetings: { count: 0, primaryRegion: null },
    speakers: 0,
    transcription: 'OFF',
    lastError: cutLastError(lastError),
    updatedAt: new Date(Date.now()).toISOString(),
  };
}
