/**
 * `npm run cli -- report <webinarId> [--format csv|json] [--output <file>]`: the attendance report, read from the
 * workers' store (CREDENTIAL_STORE_URL and PAYLOAD_ENCRYPTION_KEYS, as the worker reads them), not from
 * Temporal: the records are written there when the webinar ends (client/library/attendance-report.ts formats
 * them). The arguments and settings are checked before the store is opened (exit 2).
 */
import { writeFile } from 'node:fs/promises';
import { Errors, formatFieldErrors } from '../../domain/validation/fields';
import { checkWebinarId } from '../../domain/validation/identifiers';
import { openCredentialStore } from '../../activities/credentials';
import {
  ATTENDANCE_REPORT_FORMATS,
  attendanceReport,
  formatAttendanceReport,
  type AttendanceReportFormat,
} from '../library/attendance-report';
import { readSharedCredentialStoreSettings } from '../credential-store/settings';
import { exact, UsageError } from './input';

export const REPORT_USAGE = 'report <webinarId> [--format csv|json] [--output <file>]';

/** The webinar has no stored records (yet): exit 1, saying where its live counts are. */
export class AttendanceReportMissingError extends Error {
  override name = 'AttendanceReportMissingError';
  constructor(webinarId: string) {
    super(
      `No attendance report for webinar ${webinarId}: the report is written when the webinar ends. ` +
        `While it runs, its live attendance counts are in \`status ${webinarId}\`.`,
    );
  }
}

export interface ReportCommandOptions {
  args: string[];
  format?: string;
  output?: string;
  env: NodeJS.ProcessEnv;
  print: (text: string) => void;
  /** Writes the text as it is (stdout): the CSV's CRLF line ends reach a pipe unchanged. */
  write: (text: string) => void;
}

function parseFormat(value: string | undefined): AttendanceReportFormat {
  if (value === undefined) return 'csv';
  const format = value.toLowerCase();
  if ((ATTENDANCE_REPORT_FORMATS as readonly string[]).includes(format))
    return format as AttendanceReportFormat;
  throw new UsageError(
    `--format ${value} is not a report format: use ${ATTENDANCE_REPORT_FORMATS.join(' or ')}`,
  );
}

export function prepareReport(options: ReportCommandOptions): () => Promise<void> {
  const [webinarId = ''] = exact(options.args, 1, REPORT_USAGE);
  const errors = new Errors();
  if (!checkWebinarId(webinarId, 'webinarId', errors))
    throw new UsageError(formatFieldErrors(errors.list, 'report argument'));
  const format = parseFormat(options.format);
  if (options.output === '') throw new UsageError('--output needs a file path');
  const settings = readSharedCredentialStoreSettings(options.env, 'credential store (for report)');
  return async () => {
    // Opening migrates (as every reader of the store does); 10,250 rows are a few MB, read at once.
    const store = await openCredentialStore(settings.store, settings.keys);
    let records;
    try {
      records = await store.readAttendance(webinarId);
    } finally {
      await store.close();
    }
    if (records.length === 0) throw new AttendanceReportMissingError(webinarId);
    const text = formatAttendanceReport(attendanceReport(webinarId, records), format);
    if (options.output === undefined) {
      options.write(text);
      return;
    }
    await writeFile(options.output, text, 'utf8');
    options.print(
      `Wrote the attendance of webinar ${webinarId} (${records.length} attendees, ${format}) to ${options.output}`,
    );
  };
}
