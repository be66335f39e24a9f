/**
 * Replays every history recorded from real runs (test/histories/scenarios.ts) against the current workflow
 * code: a change that alters the commands of a recorded run fails here, unless the patch registry
 * (workflows/patches.ts) declares it. The registry is checked against the code and the recordings: no patch
 * outside it, and every active or deprecated entry has recordings of the branches it keeps.
 *
 * What replay cannot see (the order of activities of the same type, a timer's length) is proven by behaviour
 * tests instead: test/reliability/meeting-order.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { PATCHES, type PatchEntry } from '../../workflows/patches';
import { patchMarkers, patchProblems, type Source } from '../support/patch-coverage';
import { webinarBundle } from '../support/webinar-stack';

const HISTORIES = join(__dirname, '..', 'histories');
const WORKFLOWS = join(__dirname, '..', '..', 'workflows');

// The baseline's recordings at the top level; a patch's old-branch recordings, kept while it is active, in a
// subfolder the registry names.
const files = readdirSync(HISTORIES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

function events(file: string): unknown[] {
  return (JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as { events: unknown[] }).events;
}

const recordings = new Map(files.map((file) => [file, patchMarkers(events(file))]));
const sources: Source[] = readdirSync(WORKFLOWS, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(WORKFLOWS, file), 'utf8') }));

it('has recorded histories of every representative scenario', () => {
  const scenarios = new Set(files.map((f) => f.split('.')[0]));
  for (const scenario of [
    'full-lifecycle',
    'end-while-scheduled',
    'cancel-while-ready',
    'invalid-input',
    'replica-quota-failure',
    'late-replica-refused',
    'continue-as-new',
    'new-generation',
    'teardown-failed',
  ]) {
    expect(scenarios).toContain(scenario);
  }
});

describe('the patch registry (workflows/patches.ts)', () => {
  it('agrees with the workflow code and the recordings', () => {
    expect(patchProblems(PATCHES, sources, recordings)).toEqual([]);
  });

  // The check must be able to fail: a registry or code that is wrong in each way it looks for.
  const entry = (over: Partial<PatchEntry>): PatchEntry => ({
    id: 'x',
    change: 'a change',
    added: '2026-12-07',
    since: '1.1.0',
    state: 'active',
    recordings: { oldBranch: ['full-lifecycle.json'], newBranch: ['full-lifecycle.json'] },
    ...over,
  });
  const asking = [...sources, { file: 'example.ts', text: "if (changeApplies('x')) {}" }];

  it.each<[string, PatchEntry[], Source[], RegExp]>([
    ['a raw patched() call', [], [{ file: 'a.ts', text: "patched('y')" }], /calls patched\(\) itself/],
    ['an undeclared ID', [], asking, /x: asked in workflows\/ but not declared/],
    ['a new branch without its marker', [entry({})], asking, /full-lifecycle.json has no marker/],
    [
      'a missing recording',
      [entry({ recordings: { oldBranch: ['gone.json'], newBranch: [] } })],
      asking,
      /gone.json is not in/,
    ],
    [
      'no recording of a branch',
      [entry({ recordings: { oldBranch: [], newBranch: [] } })],
      asking,
      /no recording of its oldBranch/,
    ],
    [
      'a removed patch still asked',
      [entry({ state: 'removed' })],
      asking,
      /removed, but workflows\/ still asks/,
    ],
    ['an entry nobody asks', [entry({ state: 'deprecated' })], sources, /no workflow code asks/],
  ])('finds %s', (_what, registry, code, problem) => {
    expect(patchProblems(registry, code, recordings).join('\n')).toMatch(problem);
  });
});

it('replays every recorded history without nondeterminism', async () => {
  const workflowBundle = await webinarBundle();
  const histories = files.map((file) => ({
    workflowId: file,
    history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'))),
  }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
