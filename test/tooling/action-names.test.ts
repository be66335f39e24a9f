/**
 * One home for each operator action (issue #12): an action's name appears in at most MAX_FILES source files
 * outside test/ — its entry in the table (domain/operator-action-table.ts), its body in workflows/, and at most two callers
 * that use it by name (the demo, a benchmark). Everything else (the Update and the Signal, the client, the CLI)
 * derives from the table, so a new copy of a name is a new place that would have to change with the action.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OPERATOR_ACTIONS } from '../../domain/operator-action-table';

const MAX_FILES = 4;
const root = join(__dirname, '..', '..');
/** Not the shipped or development source: tests, dependencies, build output, dot folders (.git, .tools). */
const SKIPPED = new Set(['test', 'node_modules', 'dist']);
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || (dir === root && SKIPPED.has(entry.name))) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.isFile() && SOURCE.test(entry.name) ? [relative(root, path)] : [];
  });
}

const sources = sourceFiles(root).map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));

/** The files naming `action` as a whole identifier (startTranscriptionIfWanted is another name). */
function filesNaming(action: string): string[] {
  const name = new RegExp(`(?<![\\w$])${action}(?![\\w$])`);
  return sources.filter((s) => name.test(s.text)).map((s) => s.file);
}

it('reads the source tree: the table and the action bodies are among the files it scans', () => {
  const files = sources.map((s) => s.file);
  expect(files).toEqual(expect.arrayContaining(['domain/operator-action-table.ts', 'workflows/speakers.ts']));
  expect(files.filter((f) => f.startsWith('test/'))).toEqual([]);
  // Every action is named in its table entry, so a scan that found none would prove nothing.
  for (const action of OPERATOR_ACTIONS) {
    expect({ action, files: filesNaming(action) }).toEqual({
      action,
      files: expect.arrayContaining(['domain/operator-action-table.ts']) as unknown,
    });
  }
});

it.each(OPERATOR_ACTIONS.map((action) => [action, filesNaming(action)] as const))(
  `%s is named in at most ${MAX_FILES} source files outside test/ (%j)`,
  (action, files) => {
    const tooMany =
      files.length > MAX_FILES
        ? `${action} appears in ${files.length} source files outside test/ (${files.join(', ')}); at most ` +
          `${MAX_FILES}: derive it from the table in domain/operator-action-table.ts (docs/workflow.md, "Adding an action")`
        : undefined;
    expect(tooMany).toBeUndefined();
  },
);
