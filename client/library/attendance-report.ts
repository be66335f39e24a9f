/**
 * A webinar's attendance report from its stored records (domain/attendance.ts): CSV (RFC 4180: a header line,
 * CRLF line ends, a field quoted when it holds a comma, a quote or a line break, quotes doubled) or JSON with
 * totals computed from the rows. The CSV holds rows only, so any tool reads it as a table; the totals are in
 * the JSON (and in the workflow's result).
 */
import { ATTENDANCE_RECORD_FIELDS, type AttendanceRecord } from '../../domain/attendance';

export const ATTENDANCE_REPORT_FORMATS = ['csv', 'json'] as const;
export type AttendanceReportFormat = (typeof ATTENDANCE_REPORT_FORMATS)[number];

/** The report's totals, from its rows. */
export interface AttendanceReportTotals {
  /** Rows: the attendees the workflow kept a record of (its roster at the end). */
  invited: number;
  /** Rows with a first join. */
  joined: number;
  neverJoined: number;
  /** Connections dropped, summed. */
  drops: number;
  /** Time connected, summed over the attendees, in seconds. */
  connectedSeconds: number;
}

export interface AttendanceReport {
  webinarId: string;
  records: AttendanceRecord[];
  totals: AttendanceReportTotals;
}

export const CSV_COLUMNS = ATTENDANCE_RECORD_FIELDS;

export function attendanceTotals(records: readonly AttendanceRecord[]): AttendanceReportTotals {
  const joined = records.filter((r) => r.firstJoinAt !== null).length;
  return {
    invited: records.length,
    joined,
    neverJoined: records.length - joined,
    drops: records.reduce((n, r) => n + r.drops, 0),
    connectedSeconds: records.reduce((n, r) => n + r.connectedSeconds, 0),
  };
}

export function attendanceReport(webinarId: string, records: AttendanceRecord[]): AttendanceReport {
  return { webinarId, records, totals: attendanceTotals(records) };
}

/** One CSV field: quoted only when it has to be. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV document: the header, then one line per record, every line ending in CRLF. */
export function attendanceCsv(records: readonly AttendanceRecord[]): string {
  const lines = [
    CSV_COLUMNS.join(','),
    ...records.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(',')),
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The JSON document: `{webinarId, records, totals}`, indented, with a final newline. */
export function attendanceJson(report: AttendanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function formatAttendanceReport(report: AttendanceReport, format: AttendanceReportFormat): string {
  return format === 'csv' ? attendanceCsv(report.records) : attendanceJson(report);
}
