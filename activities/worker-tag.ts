/**
 * The tag the worker puts on every meeting it creates. The IAM policy (deploy/iam-policy.json) allows the Create
 * actions only with this request tag, and every other meeting action only on meetings that carry it, so a
 * leaked worker credential cannot touch meetings other systems created in the account. Declared once here; the
 * policy test reads it.
 */
import type { Tag } from '@aws-sdk/client-chime-sdk-meetings';

export const WORKER_TAG: Readonly<{ Key: string; Value: string }> = {
  Key: 'chime-webinar-orchestrator:managed-by',
  Value: 'webinar-worker',
};

/** The webinar's own tags plus the worker's tag (which replaces a webinar tag of the same key). */
export function withWorkerTag(tags: Tag[] | undefined): Tag[] {
  return [...(tags ?? []).filter((t) => t.Key !== WORKER_TAG.Key), { ...WORKER_TAG }];
}
