/**
 * The registry of the workflow's versioned changes: the one place a patch is declared. Workflow code never calls
 * patched() or deprecatePatch() itself; it asks `changeApplies(id)` of an ID declared here, and the replay test
 * (test/workflows/replay.test.ts) reads this list: every active or deprecated entry must have recordings of the
 * branches it keeps, and no other patch ID may appear in workflows/.
 *
 * A change's life (docs/versioning.md): `active` (patched(): runs started on older code take the old branch),
 * then `deprecated` (deprecatePatch(): only the new branch, the marker still written so histories with it
 * replay) once `npm run cli -- patch-readiness <id>` finds no open webinar started before the change was
 * deployed, then `removed` (the call is gone; the entry stays, so an ID is never reused) once it finds none
 * started before the deprecation was deployed.
 *
 * The 1.0 baseline folded every earlier change into the code; its recordings are test/histories/*.json.
 */
import { deprecatePatch, patched } from '@temporalio/workflow';

export type PatchState = 'active' | 'deprecated' | 'removed';

export interface PatchEntry {
  /** The patch ID, the marker recorded in history; never reused. */
  readonly id: string;
  /** What the new branch does differently. */
  readonly change: string;
  /** The date it was added (YYYY-MM-DD) and the package version that first shipped it. */
  readonly added: string;
  readonly since: string;
  readonly state: PatchState;
  /** Recordings in test/histories/ of runs that took each branch (the old one only while active). */
  readonly recordings: { readonly oldBranch: readonly string[]; readonly newBranch: readonly string[] };
}

/** Newest last. */
const DECLARED = [
  {
    id: 'hand-over-waits-for-operators',
    change:
      'a continue-as-new the server suggests while the webinar waits goes ahead once operators have paused ' +
      'for 5 s (none in flight), or when the history has doubled since the suggestion; before, at once',
    added: '2026-12-07',
    since: '0.2.0',
    state: 'active',
    recordings: {
      oldBranch: [
        ...[1, 2, 3, 4, 5, 6].map((n) => `hand-over-waits-for-operators/continue-as-new.run${n}.json`),
        'hand-over-waits-for-operators/continue-before-ready.run2.json',
      ],
      newBranch: [1, 2, 3, 4].map((n) => `continue-as-new.run${n}.json`),
    },
  },
  {
    id: 'meeting-events',
    change:
      'the meetingEvents Signal applies Chime meeting events (attendance, counts in the memo, the primary ' +
      'ending) and a webinar that received some stores its attendance after the teardown; before, it ' +
      'ignored the Signal',
    added: '2026-12-08',
    since: '0.3.0',
    state: 'active',
    recordings: {
      oldBranch: ['meeting-events/attended.json'],
      newBranch: ['attended.json'],
    },
  },
] as const satisfies readonly PatchEntry[];

export const PATCHES: readonly PatchEntry[] = DECLARED;

/** The IDs workflow code may ask about: a typo or an undeclared ID does not compile. */
export type PatchId = (typeof DECLARED)[number]['id'];

/** The entry of a declared patch. */
export function patchEntry(id: string, registry: readonly PatchEntry[] = PATCHES): PatchEntry | undefined {
  return registry.find((entry) => entry.id === id);
}

/** Whether the change applies to this run: the only caller of patched() and deprecatePatch() in workflows/. */
export function changeApplies(id: PatchId): boolean {
  const entry = patchEntry(id);
  if (!entry || entry.state === 'removed') {
    throw new Error(`patch ${String(id)} is not active or deprecated in workflows/patches.ts`);
  }
  if (entry.state === 'deprecated') {
    deprecatePatch(entry.id);
    return true;
  }
  return patched(entry.id);
}
