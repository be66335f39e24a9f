/**
 * Whether a patch of the registry (workflows/patches.ts) may take its next step: asks visibility for the open
 * webinars started before a deployment. With AUTO_UPGRADE every run moves to the current code, but a run started
 * on older code took the old branch and replays on it until it ends (a continue-as-new starts a run on the code
 * of its day), so an `active` patch may be deprecated once no open run started before the deployment that
 * shipped it, and a `deprecated` one removed once none started before the deployment that deprecated it.
 */
import type { Client } from '@temporalio/client';
import type { FieldError } from '../../domain/validation/fields';
import { WEBINAR_WORKFLOW_TYPE } from '../../workflows/definitions';
import { PATCHES, patchEntry, type PatchEntry } from '../../workflows/patches';
import { WebinarInputError } from './errors';

/** The patch may not take its next step yet: open webinars still started before the deployment (CLI exit 1). */
export class PatchNotReadyError extends Error {
  constructor(readonly readiness: PatchReadiness) {
    super(readiness.verdict);
    this.name = 'PatchNotReadyError';
  }
}

export interface OpenRunBefore {
  workflowId: string;
  runId: string;
  startTime: string;
}

export interface PatchReadiness {
  patch: PatchEntry;
  /** The deployment the question is about (ISO-8601). */
  deployedAt: string;
  /** Open webinar runs started before it, and the oldest of them. */
  openBefore: number;
  oldest?: OpenRunBefore;
  /** The step the patch may take now, or why not. */
  verdict: string;
}

/** The next step of a patch in each state, and the deployment whose time decides it. */
const NEXT_STEP: Record<PatchEntry['state'], { step?: string; deployment: string }> = {
  active: { step: 'may be deprecated (deprecatePatch)', deployment: 'that shipped it' },
  deprecated: { step: 'may be removed from the code', deployment: 'that deprecated it' },
  removed: { deployment: 'that removed it' },
};

export function checkReadinessInput(
  patchId: unknown,
  deployedAt: unknown,
  registry: readonly PatchEntry[] = PATCHES,
): { patch: PatchEntry; at: Date } {
  const problems: FieldError[] = [];
  const patch = typeof patchId === 'string' ? patchEntry(patchId, registry) : undefined;
  if (!patch) {
    const known = registry.map((p) => p.id);
    problems.push({
      field: 'patch',
      message: `${JSON.stringify(patchId)} is not in workflows/patches.ts (${known.length > 0 ? `one of ${known.join(', ')}` : 'the registry is empty: nothing has changed since the 1.0 baseline'})`,
    });
  }
  const at = typeof deployedAt === 'string' ? new Date(deployedAt) : undefined;
  if (!at || Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d\d:?\d\d$/.test(String(deployedAt))) {
    problems.push({
      field: 'deployedAt',
      message: `${JSON.stringify(deployedAt)} is not an ISO-8601 date-time with a timezone (when the deployment became current)`,
    });
  }
  if (problems.length > 0 || !patch || !at) throw new WebinarInputError(problems, 'patch-readiness input');
  return { patch, at };
}

export async function patchReadiness(
  client: Client,
  patchId: unknown,
  deployedAt: unknown,
  registry: readonly PatchEntry[] = PATCHES,
): Promise<PatchReadiness> {
  const { patch, at } = checkReadinessInput(patchId, deployedAt, registry);
  const query =
    `WorkflowType = '${WEBINAR_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' ` +
    `AND StartTime < '${at.toISOString()}'`;
  let openBefore = 0;
  let oldest: OpenRunBefore | undefined;
  for await (const run of client.workflow.list({ query })) {
    openBefore++;
    if (!oldest || run.startTime.getTime() < Date.parse(oldest.startTime)) {
      oldest = { workflowId: run.workflowId, runId: run.runId, startTime: run.startTime.toISOString() };
    }
  }
  const next = NEXT_STEP[patch.state];
  const verdict = !next.step
    ? `${patch.id} is removed: nothing to do`
    : openBefore === 0
      ? `${patch.id} ${next.step}: no open webinar started before the deployment ${next.deployment}`
      : `${patch.id} must stay ${patch.state}: ${openBefore} open webinar run(s) started before the deployment ` +
        `${next.deployment}, the oldest ${oldest?.workflowId} (started ${oldest?.startTime})`;
  return { patch, deployedAt: at.toISOString(), openBefore, ...(oldest ? { oldest } : {}), verdict };
}
