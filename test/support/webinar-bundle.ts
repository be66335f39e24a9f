/**
 * The production workflows, bundled once per jest run by test/global-setup.ts and read by every test file; a
 * file run outside jest's global set-up (or a script) bundles them itself.
 */
import { readFileSync } from 'node:fs';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWebinarWorkflows } from '../../client/temporal/workflow-code';

/** The variable through which the global set-up hands the bundle's file to the test workers. */
export const WEBINAR_BUNDLE_FILE = 'WEBINAR_TEST_BUNDLE_FILE';

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

export function webinarBundle(): Promise<WorkflowBundleWithSourceMap> {
  const file = process.env[WEBINAR_BUNDLE_FILE];
  bundlePromise ??= file
    ? Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap)
    : bundleWebinarWorkflows();
  return bundlePromise;
}
