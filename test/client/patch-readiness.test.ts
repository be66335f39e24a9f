/**
 * `patch-readiness` against a real dev server's visibility: open webinars started before a deployment keep a
 * patch in its state; once every one of them has ended, the patch may take its next step. Bad input names the
 * field.
 */
import { patchReadiness, checkReadinessInput } from '../../client/library/patch-readiness';
import type { PatchEntry } from '../../workflows/patches';
import { useWebinarStack, webinarSpec } from '../support/webinar-stack';

const stack = useWebinarStack({ server: 'dev' });

const patch = (state: PatchEntry['state']): PatchEntry => ({
  id: 'example-change',
  change: 'an example',
  added: '2026-12-07',
  since: '1.1.0',
  state,
  recordings: { oldBranch: [], newBranch: [] },
});

/** Visibility is eventually consistent: ask until the count is what it should become. */
async function readinessOnce(
  deployedAt: string,
  state: PatchEntry['state'],
  until: (open: number) => boolean,
): Promise<Awaited<ReturnType<typeof patchReadiness>>> {
  for (let attempt = 0; ; attempt++) {
    const result = await patchReadiness(stack().env.client, 'example-change', deployedAt, [patch(state)]);
    if (until(result.openBefore) || attempt >= 50) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it('finds the oldest open webinar started before the deployment, and clears once it has ended', async () => {
  const now = await stack().env.currentTimeMs();
  const older = await stack().start(webinarSpec(now, { webinarId: 'readiness-older' }));
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const deployedAt = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const newer = await stack().start(webinarSpec(now, { webinarId: 'readiness-newer' }));

  const held = await readinessOnce(deployedAt, 'active', (open) => open === 1);
  expect(held.openBefore).toBe(1);
  expect(held.oldest?.workflowId).toBe(older.workflowId);
  expect(held.verdict).toMatch(
    /example-change must stay active: 1 open webinar run\(s\) started before the deployment that shipped it/,
  );

  await older.cancel();
  await older.result().catch(() => undefined);
  const clear = await readinessOnce(deployedAt, 'deprecated', (open) => open === 0);
  expect(clear.openBefore).toBe(0);
  expect(clear.verdict).toBe(
    'example-change may be removed from the code: no open webinar started before the deployment that deprecated it',
  );
  await newer.cancel();
  await newer.result().catch(() => undefined);
});

it('names the field of bad input', () => {
  expect(() => checkReadinessInput('nope', '2026-12-07T10:00:00Z', [patch('active')])).toThrow(
    /patch: "nope" is not in workflows\/patches.ts \(one of example-change\)/,
  );
  expect(() => checkReadinessInput('example-change', '2026-12-07 10:00', [patch('active')])).toThrow(
    /deployedAt: "2026-12-07 10:00" is not an ISO-8601 date-time with a timezone/,
  );
  expect(() => checkReadinessInput('x', 'y', [])).toThrow(/the registry is empty/);
  // The real registry by default.
  expect(() => checkReadinessInput('x', 'y')).toThrow(/one of hand-over-waits-for-operators/);
});
