/**
 * The architecture, read from the code's own imports: top-level folders are layers (domain; then workflows,
 * activities and emulator; then client; then worker; then scripts, bench and tooling), an import goes to the
 * same layer or a lower one, never sideways between workflows/, activities/ and emulator/, and no files import
 * each other in a circle. No source file outside test/ is over 400 lines, and source comments hold reasons,
 * not history (no issue numbers).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const LAYERS: Record<string, number> = {
  domain: 0,
  workflows: 1,
  activities: 1,
  emulator: 1,
  client: 2,
  worker: 3,
  scripts: 4,
  bench: 4,
  tooling: 4,
};
const MAX_LINES = 400;

function sourceFiles(): string[] {
  return Object.keys(LAYERS).flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(folder, f)),
  );
}

const files = sourceFiles();

/** Each file's imports of other source files (type-only ones too: they tie the concepts just the same). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.flatMap(({ fileName }) => {
    if (!fileName.startsWith('.')) return [];
    const target = resolve(ROOT, dirname(file), fileName);
    for (const candidate of [`${target}.ts`, join(target, 'index.ts')]) {
      if (existsSync(candidate)) return [relative(ROOT, candidate)];
    }
    return [];
  });
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const layerOf = (file: string): string => file.split('/')[0] ?? '';

it('imports go to the same layer or a lower one, never between workflows/, activities/ and emulator/', () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const [from, to] = [layerOf(file), layerOf(target)];
      if (!(to in LAYERS)) continue;
      const upward = (LAYERS[to] ?? 0) > (LAYERS[from] ?? 0);
      const sideways = from !== to && LAYERS[to] === 1 && LAYERS[from] === 1;
      if (upward || sideways) wrong.push(`${file} -> ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('has no import circle', () => {
  // Tarjan's strongly connected components: a component of more than one file is a circle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, indexOf.get(w) ?? 0));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const file of files) if (!indexOf.has(file)) visit(file);
  expect(circles).toEqual([]);
});

it(`has no source file over ${MAX_LINES} lines outside test/`, () => {
  const long = files
    .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  expect(long).toEqual([]);
});

it('keeps issue numbers out of source comments (history lives in git and docs/)', () => {
  const found = files.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        /(\/\/|\/?\*).*(\bissues?\s+#?\d|#\d{1,3}(\.\d+)?\b(?!`))/i.test(line)
          ? [`${file}:${i + 1}: ${line.trim()}`]
          : [],
      ),
  );
  expect(found).toEqual([]);
});

it('the checks see the code (the scan itself works)', () => {
  expect(graph.get('workflows/webinar.ts')).toEqual(expect.arrayContaining(['workflows/context.ts']));
  expect(files.length).toBeGreaterThan(100);
});
