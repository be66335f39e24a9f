/**
 * The mutation check: breaks the code in known ways, one at a time, and runs the tests that claim to catch each
 * break. Every mutation must make at least one of its tests fail; a mutation whose text is no longer found (the
 * code moved on) is a failure of this script too, so the list is kept true. The union of the mutations' test
 * files runs unmutated first and must pass, so a test that fails anyway is never counted as a catch; a jest run
 * that crashes without a report is not a catch either.
 *
 *   npm run test:mutations                      every mutation (by hand, not in CI: ~25 min on 2 cores)
 *   npm run test:mutations -- --only a,b        a subset, by name
 *   npm run test:mutations -- --list            the list, without running anything
 *   npm run test:mutations -- --no-baseline     skip the unmutated run (when it just passed)
 *
 * Each mutation is applied to a copy of the working tree in a temporary folder (node_modules and .tools linked,
 * not copied), never to the tree itself, so an interrupted run leaves nothing broken. The table it prints (each
 * mutation → the tests that failed) is what docs/reliability.md quotes.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { MUTATIONS, type Mutation } from './mutation-list';
import { nodeBinary, NODE_RUNTIME } from '../tooling/node-lts';

const ROOT = join(__dirname, '..');
const JEST = require.resolve('jest/bin/jest');
/** Every kind of test file (jest's default match is *.test.ts only): the chaos and reliability stages' too. */
const ANY_TEST = '**/*.{test,reliability,chaos,cluster}.ts';
/** Not copied: linked (node_modules, .tools) or irrelevant to a test run. */
const SKIP = new Set(['node_modules', '.git', '.tools', 'dist', 'coverage', 'bench/results']);

interface JestReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { fullName: string; status: string }[];
  }[];
}

interface Outcome {
  mutation: Mutation;
  result: 'caught' | 'NOT CAUGHT' | 'NO LONGER APPLIES' | 'JEST CRASHED';
  caughtBy: string[];
  seconds: number;
}

function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mutations-'));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => !SKIP.has(relative(ROOT, src)),
  });
  for (const linked of ['node_modules', '.tools']) {
    if (existsSync(join(ROOT, linked))) symlinkSync(join(ROOT, linked), join(dir, linked));
  }
  return dir;
}

/**
 * Runs the test files on the suite's Node (tooling/node-lts.ts): the unit files two at a time as in the default
 * stage, the chaos and reliability files one at a time after them, as their own stages run them (a chaos trial
 * beside other files starves them). One report for both.
 */
function runJest(dir: string, tests: string[], label: string): { report?: JestReport; stderr: string } {
  const heavy = tests.filter((t) => /\.(chaos|reliability|cluster)\.ts$/.test(t));
  const light = tests.filter((t) => !heavy.includes(t));
  const groups = [
    { files: light, args: [] as string[] },
    { files: heavy, args: ['--runInBand'] },
  ].filter((g) => g.files.length > 0);
  const reports: JestReport[] = [];
  let stderr = '';
  for (const [i, group] of groups.entries()) {
    const out = join(dir, `jest-${label}-${i}.json`);
    const run = spawnSync(
      nodeBinary(NODE_RUNTIME),
      [
        JEST,
        '--ci',
        '--silent',
        '--forceExit',
        '--json',
        `--outputFile=${out}`,
        '--testMatch',
        ANY_TEST,
        ...group.args,
        '--runTestsByPath',
        ...group.files,
      ],
      { cwd: dir, env: process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    stderr += run.stderr;
    // A group without a report makes the whole run crashed, not partly caught.
    if (!existsSync(out)) return { stderr };
    reports.push(JSON.parse(readFileSync(out, 'utf8')) as JestReport);
  }
  return {
    report: {
      numFailedTests: reports.reduce((n, r) => n + r.numFailedTests, 0),
      numPassedTests: reports.reduce((n, r) => n + r.numPassedTests, 0),
      testResults: reports.flatMap((r) => r.testResults),
    },
    stderr,
  };
}

function failedTests(report: JestReport | undefined, dir: string): string[] {
  if (!report) return [];
  const failed: string[] = [];
  for (const file of report.testResults) {
    const name = relative(dir, file.name);
    const tests = file.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName);
    if (tests.length > 0) failed.push(...tests.map((t) => `${name} › ${t}`));
    // A file that fails to load or to set up fails as a whole (e.g. the mutation breaks the build).
    else if (file.status === 'failed') failed.push(`${name} (${file.message.split('\n')[0] ?? 'failed'})`);
  }
  return failed;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v && !v.startsWith('--') ? v : '';
}

const USAGE = `Usage: npm run test:mutations -- [--only a,b] [--list] [--no-baseline]
  --only a,b      run these mutations only (names from --list)
  --list          print the mutations and their tests, run nothing
  --no-baseline   skip the unmutated run of the mutations' test files`;

function commit(): string {
  const run = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  return `${run.stdout.trim() || 'unknown'}${dirty ? ' (with uncommitted changes)' : ''}`;
}

function main(): number {
  if (option('help') !== undefined || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const only = option('only')?.split(',').filter(Boolean);
  const selected = only ? MUTATIONS.filter((m) => only.includes(m.name)) : MUTATIONS;
  for (const name of only ?? []) {
    if (!MUTATIONS.some((m) => m.name === name)) throw new Error(`unknown mutation ${name}`);
  }
  if (option('list') !== undefined) {
    for (const m of selected) console.log(`${m.name}: ${m.file} → ${m.tests.join(', ')}\n  ${m.claim}`);
    return 0;
  }
  const dir = copyTree();
  console.log(`working copy: ${dir}`);
  const outcomes: Outcome[] = [];
  try {
    if (option('no-baseline') === undefined) {
      const files = [...new Set(selected.flatMap((m) => m.tests))];
      console.log(`baseline: ${files.join(', ')}`);
      const { report } = runJest(dir, files, 'baseline');
      const failed = failedTests(report, dir);
      if (!report || failed.length > 0) {
        console.error(`baseline failed (unmutated code): ${failed.join('; ') || 'no jest report'}`);
        return 1;
      }
    }
    for (const mutation of selected) {
      const started = Date.now();
      const path = join(dir, mutation.file);
      const original = readFileSync(path, 'utf8');
      const count = original.split(mutation.find).length - 1;
      if (count !== 1) {
        outcomes.push({ mutation, result: 'NO LONGER APPLIES', caughtBy: [], seconds: 0 });
        console.log(
          `✗ ${mutation.name}: mutation no longer applies (its text is found ${count} times in ${mutation.file})`,
        );
        continue;
      }
      writeFileSync(path, original.replace(mutation.find, mutation.replace));
      try {
        const { report, stderr } = runJest(dir, mutation.tests, mutation.name);
        const caughtBy = failedTests(report, dir);
        const seconds = Math.round((Date.now() - started) / 1000);
        const caught = caughtBy.length > 0 && report !== undefined;
        if (!report) caughtBy.push(`jest produced no report: ${stderr.split('\n').slice(-3).join(' ')}`);
        const result = !report ? 'JEST CRASHED' : caught ? 'caught' : 'NOT CAUGHT';
        outcomes.push({ mutation, result, caughtBy, seconds });
        console.log(
          `${caught ? '✓' : '✗'} ${mutation.name} (${seconds} s): ${caughtBy[0] ?? 'every test passed'}`,
        );
      } finally {
        writeFileSync(path, original);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nOn commit ${commit()}, ${new Date().toISOString()}:`);
  console.log('\n| mutation | file | claim | result | caught by |\n|---|---|---|---|---|');
  for (const o of outcomes) {
    // Per test file: how many of its tests failed, and the first one's name.
    const byFile = new Map<string, string[]>();
    for (const c of o.caughtBy) {
      const [file = c, test = ''] = c.split(' › ');
      byFile.set(file, [...(byFile.get(file) ?? []), test]);
    }
    const by =
      [...byFile]
        .map(([file, tests]) => `${file}: ${tests.length} failed, e.g. “${tests[0] ?? ''}”`)
        .join('<br>') || '–';
    console.log(
      `| \`${o.mutation.name}\` | ${o.mutation.file} | ${o.mutation.claim} | ${o.result} (${o.seconds} s) | ${by} |`,
    );
  }
  const bad = outcomes.filter((o) => o.result !== 'caught');
  console.log(
    `\n${outcomes.length - bad.length} of ${outcomes.length} mutations caught` +
      (bad.length > 0
        ? `; not caught or no longer applying: ${bad.map((o) => o.mutation.name).join(', ')}`
        : ''),
  );
  return bad.length === 0 ? 0 : 1;
}

process.exitCode = main();
