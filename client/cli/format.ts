/** How the operator CLI shows a webinar's status and a list of webinars to a person (`--json` prints them as they are). */
import type { WebinarStatusRead } from '../../domain/status-memo';
import type { WebinarStatus } from '../../domain/types';
import type { WebinarSummary } from '../library/webinar-list';

export function formatStatus(s: WebinarStatus & Partial<WebinarStatusRead>): string {
  if (s.source === 'memo') {
    // The published memo: counts and the primary's Region; IDs, replicas and rejections are in --live only.
    return [
      `Webinar ${s.webinarId}: ${s.phase} (generation ${s.generation})`,
      `  starts         ${s.startAt}`,
      `  ends           ${s.endAt}`,
      `  meetings       ${s.meetingCount ?? 0}${s.primary ? ` (primary in ${s.primary.region})` : ''}`,
      `  attendees      requested ${s.attendees.requested}, registered ${s.attendees.registered}, failed ${s.attendees.failed}`,
      `  presenters     ${formatPresenters(s)}`,
      `  speakers       ${s.speakerCount ?? 0}`,
      `  transcription  ${s.transcription}`,
      `  attendance     ${formatAttendance(s)}`,
      ...(s.lastError ? [`  last error     ${s.lastError}`] : []),
      `  published      ${s.updatedAt ?? '-'} (workflow time; --live for meeting IDs, speakers, rejected actions)`,
    ].join('\n');
  }
  const out = [
    `Webinar ${s.webinarId}: ${s.phase} (generation ${s.generation})`,
    `  starts         ${s.startAt}`,
    `  ends           ${s.endAt}`,
    `  primary        ${s.primary ? `${s.primary.meetingId} (${s.primary.region})` : '-'}`,
    `  replicas       ${s.replicas.length === 0 ? '-' : s.replicas.length}`,
    ...s.replicas.map((r) => `    ${r.region.padEnd(15)} ${r.meetingId}  ${r.attendees} attendees`),
    `  attendees      requested ${s.attendees.requested}, registered ${s.attendees.registered}, failed ${s.attendees.failed}`,
    `  presenters     ${formatPresenters(s)}`,
    `  speakers       ${s.speakers.length === 0 ? '-' : s.speakers.join(', ')}`,
    `  transcription  ${s.transcription}`,
    `  attendance     ${formatAttendance(s)}`,
  ];
  if (s.lastError) out.push(`  last error     ${s.lastError}`);
  if (s.rejected.length > 0) {
    out.push(`  rejected actions (${s.rejected.length}):`);
    for (const r of s.rejected) out.push(`    ${r.at}  ${r.action}: ${r.reason}`);
  }
  return out.join('\n');
}

/** Whether the webinar can start (its hosts and speakers registered); a worker older than the field says nothing. */
function formatPresenters(s: WebinarStatus): string {
  const p = (s as Partial<WebinarStatus>).presenters;
  if (!p) return '-';
  const counts = `requested ${p.requested}, registered ${p.registered}, failed ${p.failed}`;
  return `${s.presentersReady ? 'ready' : 'not ready'} (${counts})`;
}

/** Live counts from Chime's meeting events; a worker older than the field says nothing. */
function formatAttendance(s: WebinarStatus): string {
  const a = (s as Partial<WebinarStatus>).attendance;
  return a ? `connected ${a.connected}, joined ${a.joined}, dropped ${a.dropped}` : '-';
}

export function formatList(rows: WebinarSummary[]): string {
  if (rows.length === 0) return 'No webinars match.';
  const header = ['WEBINAR', 'PHASE', 'STARTS', 'REGISTERED', 'FAILED', 'MEETINGS', 'WORKFLOW STATUS'];
  const body = rows.map((r) => [
    r.webinarId,
    r.phase ?? '-',
    r.startAt ?? '-',
    r.attendees ? `${r.attendees.registered}/${r.attendees.requested}` : '-',
    r.attendees ? String(r.attendees.failed) : '-',
    r.meetings !== undefined ? String(r.meetings) : '-',
    r.executionStatus,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
