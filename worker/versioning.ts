/**
 * Worker Versioning: the webinar worker is one version (deployment name + build ID) of a Temporal Worker
 * Deployment. New webinars start on the deployment's current version; the behaviour below decides what a webinar
 * already running does when the current version changes.
 *
 * AUTO_UPGRADE (the default): a webinar's next workflow task runs on the current version. Webinars sleep for days
 * or weeks between scheduling and start; PINNED would keep every version that ever scheduled one alive (and
 * polling) until its last webinar ended, weeks later, and a fix would not reach the webinars already scheduled.
 * The price of AUTO_UPGRADE is that every change must replay on old histories: patched() for workflow changes,
 * and the replay gate (`npm run cli -- replay`) before each deploy proves it. An operator can still pin one webinar
 * to a version (a versioning override), e.g. a flagship webinar during a risky rollout (docs/runbook.md).
 *
 * Only the webinar worker is versioned. The Chime activity workers stay unversioned: their `chime.<region>` queue
 * carries the Region's API budget as a server-side rate limit, which the server applies per physical queue, and a
 * versioned queue has one per version: two versions polling during a ramp would double the calls per second a
 * Region receives (docs/runbook.md, "Deploying a new version").
 */
import { VersioningBehavior } from '@temporalio/common';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { envValue, type ConfigProblem } from '../client/temporal/connection';

export const VERSIONING_BEHAVIORS = [VersioningBehavior.AUTO_UPGRADE, VersioningBehavior.PINNED] as const;
export type WebinarVersioningBehavior = (typeof VERSIONING_BEHAVIORS)[number];
export const DEFAULT_VERSIONING_BEHAVIOR: WebinarVersioningBehavior = VersioningBehavior.AUTO_UPGRADE;

export interface WorkerVersioning {
  deploymentName: string;
  buildId: string;
  defaultBehavior: WebinarVersioningBehavior;
}

// A version is written `<deployment>.<build ID>` in the server's older APIs and the CLI's output: no dot in the
// name. Both are at most 255 characters (the server's limit).
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;

/** The versioning settings, or undefined (unversioned); a problem per bad variable. */
export function readWorkerVersioning(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): WorkerVersioning | undefined {
  const deploymentName = envValue(env, 'TEMPORAL_DEPLOYMENT_NAME');
  const buildId = envValue(env, 'TEMPORAL_WORKER_BUILD_ID');
  const rawBehavior = envValue(env, 'TEMPORAL_VERSIONING_BEHAVIOR');
  const before = problems.length;
  if ((deploymentName === undefined) !== (buildId === undefined)) {
    const [missing, set] =
      deploymentName === undefined
        ? ['TEMPORAL_DEPLOYMENT_NAME', 'TEMPORAL_WORKER_BUILD_ID']
        : ['TEMPORAL_WORKER_BUILD_ID', 'TEMPORAL_DEPLOYMENT_NAME'];
    problems.push({
      variable: missing,
      message: `is required when ${set} is set: a worker version is a deployment name and a build ID (unset both for an unversioned worker)`,
    });
  }
  if (deploymentName !== undefined && !DEPLOYMENT_NAME.test(deploymentName)) {
    problems.push({
      variable: 'TEMPORAL_DEPLOYMENT_NAME',
      message: `${JSON.stringify(deploymentName)} is not a deployment name (letters, digits, "_", "-"; no "."; at most 255)`,
    });
  }
  if (buildId !== undefined && !BUILD_ID.test(buildId)) {
    problems.push({
      variable: 'TEMPORAL_WORKER_BUILD_ID',
      message: `${JSON.stringify(buildId)} is not a build ID (letters, digits, ".", "_", "+", "-"; at most 255), e.g. the image tag or git commit`,
    });
  }
  let defaultBehavior = DEFAULT_VERSIONING_BEHAVIOR;
  if (rawBehavior !== undefined) {
    const found = VERSIONING_BEHAVIORS.find((b) => b === rawBehavior.toUpperCase());
    if (!found) {
      problems.push({
        variable: 'TEMPORAL_VERSIONING_BEHAVIOR',
        message: `${JSON.stringify(rawBehavior)} is not one of ${VERSIONING_BEHAVIORS.join(', ')}`,
      });
    } else if (deploymentName === undefined) {
      problems.push({
        variable: 'TEMPORAL_VERSIONING_BEHAVIOR',
        message:
          'applies to a versioned worker only: set TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID too',
      });
    } else defaultBehavior = found;
  }
  if (problems.length > before || deploymentName === undefined || buildId === undefined) return undefined;
  return { deploymentName, buildId, defaultBehavior };
}

/** The webinar worker's deployment options (Worker.create). */
export function workerDeploymentOptions(versioning: WorkerVersioning): WorkerDeploymentOptions {
  return {
    useWorkerVersioning: true,
    version: { deploymentName: versioning.deploymentName, buildId: versioning.buildId },
    defaultVersioningBehavior: versioning.defaultBehavior,
  };
}
