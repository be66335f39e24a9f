/**
 * What the operator CLI reads from files and arguments, checked before anything is sent: webinar specs (JSON or
 * YAML), attendee CSVs and an operator action named with its JSON argument, with errors that name the file, the
 * line and the field (exit 2 through UsageError).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AttendeeSpec } from '../../domain/types';
import type { FieldError } from '../../domain/validation/fields';
import {
  OPERATOR_ACTIONS,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../domain/operator-action-table';

/** A problem with what the person typed or the files they named: exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`${what} ${file} does not exist`);
    if (code === 'EISDIR') throw new UsageError(`${what} ${file} is a directory, not a file`);
    throw new UsageError(`cannot read ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A webinar spec from a .json, .yaml or .yml file. */
export async function readSpecFile(file: string): Promise<unknown> {
  const text = await readInputFile(file, 'spec file');
  const ext = extname(file).toLowerCase();
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${reason}`);
  }
}

/** Splits one CSV line; fields may be double-quoted ("a,b" and "" escapes). */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= line.length) return undefined; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += line[i];
        i += 1;
      }
      if (i < line.length && line[i] !== ',') return undefined;
    } else {
      const comma = line.indexOf(',', i);
      field = comma === -1 ? line.slice(i) : line.slice(i, comma);
      i = comma === -1 ? line.length : comma;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i += 1; // the comma
  }
}

/**
 * Attendees from a CSV file with the columns externalUserId,role,region (region optional; a header row naming
 * them is skipped; blank lines and lines starting with # are ignored). Field errors are reported by line.
 */
export function parseAttendeesCsv(
  text: string,
  file: string,
): { attendees: AttendeeSpec[]; lines: number[] } {
  const attendees: AttendeeSpec[] = [];
  const lines: number[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = csvFields(line);
    if (!fields) {
      problems.push(`line ${lineNo}: unterminated or misplaced double quote`);
      return;
    }
    if (attendees.length === 0 && problems.length === 0 && fields[0]?.toLowerCase() === 'externaluserid')
      return;
    if (fields.length < 2 || fields.length > 3) {
      problems.push(
        `line ${lineNo}: expected 2 or 3 columns (externalUserId,role,region), got ${fields.length}`,
      );
      return;
    }
    const [externalUserId = '', role = '', region = ''] = fields;
    attendees.push({
      externalUserId,
      role: role as AttendeeSpec['role'],
      ...(region !== '' ? { region } : {}),
    });
    lines.push(lineNo);
  });
  if (problems.length > 0) throw new UsageError(`${file}: ${problems.join('; ')}`);
  if (attendees.length === 0)
    throw new UsageError(`${file} lists no attendees (columns: externalUserId,role,region)`);
  return { attendees, lines };
}

/** Rewrites `attendees[3].role` as `line 7 role`, so CSV errors point at the file. */
export function byLine(errors: FieldError[], lines: number[], file: string): string {
  const parts = errors.map((e) => {
    const m = /^attendees\[(\d+)\]\.?(.*)$/.exec(e.field);
    const line = m ? lines[Number(m[1])] : undefined;
    return line !== undefined ? `line ${line} ${m?.[2] || 'row'}: ${e.message}` : `${e.field}: ${e.message}`;
  });
  return `${file}: ${parts.join('; ')}`;
}

export function need(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length < count) throw new UsageError(`missing arguments: ${usage}`);
  return positionals;
}

export function exact(positionals: string[], count: number, usage: string): string[] {
  need(positionals, count, usage);
  if (positionals.length > count) {
    throw new UsageError(`unexpected arguments ${positionals.slice(count).join(' ')}: ${usage}`);
  }
  return positionals;
}

/** From `min` to `max` positionals. */
export function between(positionals: string[], min: number, max: number, usage: string): string[] {
  need(positionals, min, usage);
  return exact(positionals, Math.min(positionals.length, max), usage);
}

/** An action of the table (domain/operator-action-table.ts) by its name, or a usage error listing them all. */
export function operatorActionNamed(name: string): OperatorAction {
  if ((OPERATOR_ACTIONS as readonly string[]).includes(name)) return name as OperatorAction;
  throw new UsageError(`Unknown action "${name}". Actions: ${OPERATOR_ACTIONS.join(', ')}`);
}

/**
 * The action's argument from its JSON text (absent: `{}`). Only the JSON is read here; what the value must hold is
 * the action's own parser's business (checkOperatorAction), so every field error reads as the workflow's would.
 */
export function parseActionArgument<A extends OperatorAction>(
  action: A,
  text: string | undefined,
): OperatorActionArgs[A] {
  if (text === undefined) return {} as OperatorActionArgs[A];
  try {
    return JSON.parse(text) as OperatorActionArgs[A];
  } catch (e) {
    throw new UsageError(
      `${action} argument is not JSON (${e instanceof Error ? e.message : String(e)}): give it as one JSON object, in single quotes for the shell (docs/workflow.md lists each action's argument)`,
    );
  }
}
