/**
 * Replays every history recorded from real runs (scripts/record-histories.ts) against the current workflow
 * code: any nondeterminism (a change that is not behind patched()) fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { webinarBundle } from '../support/webinar-stack';

const HISTORIES = join(__dirname, '..', 'histories');

// Current recordings at the top level; older recordings (before a patched() change) in subfolders, so every
// code path a running webinar may still be on keeps replaying.
const files = readdirSync(HISTORIES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

it('has recorded histories of every representative scenario', () => {
  const scenarios = new Set(files.filter((f) => !f.includes('/')).map((f) => f.split('.')[0]));
  for (const scenario of [
    'full-lifecycle',
    'end-while-scheduled',
    'cancel-while-ready',
    'invalid-input',
    'replica-quota-failure',
    'continue-as-new',
    'new-generation',
  ]) {
    expect(scenarios).toContain(scenario);
  }
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
