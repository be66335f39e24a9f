/**
 * The replay test's check of the patch registry (workflows/patches.ts) against the code and the recordings:
 * pure functions over sources and histories, so the check itself is tested on registries that are wrong.
 */
import type { PatchEntry } from '../../workflows/patches';

/** The patch IDs whose markers a history (its events, as exported JSON) recorded. */
export function patchMarkers(events: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const e of events as {
    eventType?: string;
    markerRecordedEventAttributes?: {
      markerName?: string;
      details?: Record<string, { payloads?: { data?: string }[] }>;
    };
  }[]) {
    const marker = e.markerRecordedEventAttributes;
    if (e.eventType !== 'EVENT_TYPE_MARKER_RECORDED' || marker?.markerName !== 'core_patch') continue;
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) continue;
    ids.push((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
  }
  return ids;
}

/** A workflow source file, by its path under workflows/. */
export interface Source {
  file: string;
  text: string;
}

const REGISTRY_FILE = 'patches.ts';

/** What is wrong with the registry, the code and the recordings together; empty when all agree. */
export function patchProblems(
  registry: readonly PatchEntry[],
  sources: readonly Source[],
  recordings: ReadonlyMap<string, readonly string[]>,
): string[] {
  const problems: string[] = [];
  for (const { file, text } of sources) {
    if (file === REGISTRY_FILE) continue;
    for (const m of text.matchAll(/\b(patched|deprecatePatch)\s*\(/g)) {
      problems.push(
        `workflows/${file} calls ${m[1]}() itself: declare the patch in workflows/patches.ts and call changeApplies()`,
      );
    }
  }
  const asked = new Set<string>();
  for (const { text } of sources) {
    for (const m of text.matchAll(/\bchangeApplies\(\s*['"`]([^'"`]+)['"`]\s*\)/g)) if (m[1]) asked.add(m[1]);
  }
  const seen = new Set<string>();
  for (const entry of registry) {
    const { id } = entry;
    if (seen.has(id)) problems.push(`${id}: declared twice`);
    seen.add(id);
    if (entry.state === 'removed') {
      if (asked.has(id)) problems.push(`${id}: removed, but workflows/ still asks changeApplies('${id}')`);
      continue;
    }
    if (!asked.has(id))
      problems.push(`${id}: ${entry.state}, but no workflow code asks changeApplies('${id}')`);
    const branches: [keyof PatchEntry['recordings'], boolean][] =
      entry.state === 'active'
        ? [
            ['oldBranch', false],
            ['newBranch', true],
          ]
        : [['newBranch', true]];
    for (const [branch, marked] of branches) {
      const files = entry.recordings[branch];
      if (files.length === 0) problems.push(`${id}: no recording of its ${branch}`);
      for (const file of files) {
        const markers = recordings.get(file);
        if (!markers) problems.push(`${id}: its ${branch} recording ${file} is not in test/histories/`);
        else if (markers.includes(id) !== marked) {
          problems.push(
            `${id}: ${file} ${marked ? 'has no' : 'has a'} marker of it, so it does not take the ${branch}`,
          );
        }
      }
    }
  }
  for (const id of asked) if (!seen.has(id)) problems.push(`${id}: asked in workflows/ but not declared`);
  return problems;
}
