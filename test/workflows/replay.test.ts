/**
 * Replays every history recorded from real runs (test/histories/scenarios.ts) against the current workflow
 * code: any nondeterminism (a change that is not behind patched()) fails here. It also checks that the recorded
 * histories cover the code's patches: every patched() ID in workflows/ must have a current recording that took
 * its new branch, or the old-branch removal, a changed new branch, or a dropped guard would replay unnoticed.
 *
 * What replay cannot see (the order of activities of the same type, a timer's length) is proven by behaviour
 * tests instead: test/reliability/meeting-order.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { webinarBundle } from '../support/webinar-stack';

const HISTORIES = join(__dirname, '..', 'histories');
const WORKFLOWS = join(__dirname, '..', '..', 'workflows');

// Current recordings at the top level; older recordings (before a patched() change) in subfolders, so every
// code path a running webinar may still be on keeps replaying.
const files = readdirSync(HISTORIES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();
const current = files.filter((f) => !f.includes('/'));

interface HistoryEvent {
  eventType?: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  activityTaskFailedEventAttributes?: { scheduledEventId?: string; failure?: { message?: string } };
  markerRecordedEventAttributes?: {
    markerName?: string;
    details?: Record<string, { payloads?: { data?: string }[] }>;
  };
}

function events(file: string): HistoryEvent[] {
  return (JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as { events: HistoryEvent[] }).events;
}

/** The patch IDs whose markers a history recorded: patched(id) returned true there, so its new branch ran. */
function patchMarkers(history: HistoryEvent[]): string[] {
  const ids: string[] = [];
  for (const e of history) {
    const marker = e.markerRecordedEventAttributes;
    if (e.eventType !== 'EVENT_TYPE_MARKER_RECORDED' || marker?.markerName !== 'core_patch') continue;
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) continue;
    const { id } = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string };
    ids.push(id);
  }
  return ids;
}

/**
 * Every patched() and deprecatePatch() ID in the workflow source: given as a string literal, or as a constant
 * declared in workflows/ (`const NAME = '…'`).
 */
function patchIdsInCode(): string[] {
  const sources = readdirSync(WORKFLOWS, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(WORKFLOWS, file), 'utf8'));
  const constants = new Map<string, string>();
  for (const source of sources) {
    for (const m of source.matchAll(/\bconst\s+([A-Za-z_$][\w$]*)\s*=\s*['"`]([^'"`]+)['"`]/g)) {
      if (m[1] && m[2]) constants.set(m[1], m[2]);
    }
  }
  const ids = new Set<string>();
  for (const source of sources) {
    for (const m of source.matchAll(
      /\b(?:patched|deprecatePatch)\(\s*(?:['"`]([^'"`]+)['"`]|([A-Za-z_$][\w$]*))\s*\)/g,
    )) {
      const id = m[1] ?? constants.get(m[2] ?? '');
      if (!id)
        throw new Error(`patched(${m[2]}): cannot resolve the patch ID (declare it as a string constant)`);
      ids.add(id);
    }
  }
  return [...ids].sort();
}

/**
 * Patches whose new branch is narrower than "the code after patched() ran": the evidence a history must hold
 * besides the marker. Any other patch counts as taken where its marker is recorded.
 */
const NEW_BRANCH_EVIDENCE: Record<string, { what: string; holds: (history: HistoryEvent[]) => boolean }> = {
  'teardown-deletes-primary-only': {
    what: 'a webinar with replicas whose teardown scheduled one deleteMeeting',
    holds: (history) => {
      const names = history.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
      const marker = history.findIndex((e) => patchMarkers([e]).includes('teardown-deletes-primary-only'));
      const created = names.filter((n) => n === 'createMeeting').length;
      const deleted = names.filter((n, i) => i > marker && n === 'deleteMeeting').length;
      return marker >= 0 && created > 1 && deleted === 1;
    },
  },
  'late-replica-failure-is-per-attendee': {
    what: 'a refused createMeeting for late attendees, after which the webinar still completed',
    holds: (history) => {
      const scheduled = new Map<string, string>();
      history.forEach((e, i) => {
        const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (name) scheduled.set(String(i + 1), name);
      });
      const markerAt = history.findIndex((e) =>
        patchMarkers([e]).includes('late-replica-failure-is-per-attendee'),
      );
      const refusedAfter = history.some(
        (e, i) =>
          i > markerAt &&
          e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_FAILED' &&
          scheduled.get(e.activityTaskFailedEventAttributes?.scheduledEventId ?? '') === 'createMeeting',
      );
      const completed = history.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      return markerAt >= 0 && refusedAfter && completed;
    },
  },
};

/** Which patches each current recording covers. */
const coverage = new Map(current.map((file) => [file, [...new Set(patchMarkers(events(file)))]]));

it('has recorded histories of every representative scenario', () => {
  const scenarios = new Set(current.map((f) => f.split('.')[0]));
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

describe('every patched() ID in workflows/ has a current recording that takes its new branch', () => {
  const ids = patchIdsInCode();
  const takenBy = (id: string): string[] => {
    const evidence = NEW_BRANCH_EVIDENCE[id];
    return current.filter(
      (file) => coverage.get(file)?.includes(id) && (evidence ? evidence.holds(events(file)) : true),
    );
  };

  it('finds the patches in the code (the scan itself works)', () => {
    expect(ids).toEqual(
      expect.arrayContaining(['first-meeting-check-after-interval', 'late-replica-failure-is-per-attendee']),
    );
  });

  // The title names the recordings that cover each patch, so the run's output shows the coverage.
  it.each(ids.map((id) => [id, takenBy(id).join(', ') || 'no recording'] as const))(
    "patched('%s'): new branch taken in %s",
    (id) => {
      const evidence = NEW_BRANCH_EVIDENCE[id];
      if (takenBy(id).length === 0) {
        throw new Error(
          `No recording in test/histories/ takes the new branch of patched('${id}')` +
            `${evidence ? ` (${evidence.what})` : ''}: add a scenario to test/histories/scenarios.ts and run ` +
            '`npm run record-histories` (move recordings that must still replay to a subfolder first).',
        );
      }
    },
  );
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
