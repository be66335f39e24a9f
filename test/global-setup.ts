import { chmodSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRORS_ONLY_BUNDLE_LOGGER, bundleWebinarWorkflows } from '../client/temporal/workflow-code';
import { WEBINAR_BUNDLE_FILE } from './support/webinar-bundle';
import { projectRoot, resolveTemporalCli, resolveTimeSkippingServer } from '../tooling/temporal-servers';
import { TEMPORAL_SERVER_LOG, TEST_LOG_LEVEL } from './support/quiet-environment';

/**
 * Resolves (and if needed installs) both Temporal servers once, before test files run in parallel, and hands the
 * paths to every test worker through the environment. Unless TEST_LOG_LEVEL is set, the paths are small wrappers
 * that send a server's output to the log of the test file that started it (test/support/quiet-environment.ts)
 * instead of the terminal: the servers inherit the test process's stdout and stderr otherwise.
 * It also bundles the webinar workflows once for every test file (test/support/webinar-bundle.ts): webpack took
 * 3–9 s of CPU in each of about 20 files.
 */
export default async function globalSetup(): Promise<void> {
  const cli = resolveTemporalCli();
  const testServer = resolveTimeSkippingServer();
  const quiet = !process.env[TEST_LOG_LEVEL];
  if (cli.executable.type === 'existing-path') {
    process.env.TEMPORAL_CLI_PATH = quiet
      ? quietWrapper('temporal', cli.executable.path)
      : cli.executable.path;
  }
  if (testServer.executable.type === 'existing-path') {
    process.env.TEMPORAL_TEST_SERVER_PATH = quiet
      ? quietWrapper('temporal-test-server', testServer.executable.path)
      : testServer.executable.path;
  }
  const bundle = await bundleWebinarWorkflows({ logger: ERRORS_ONLY_BUNDLE_LOGGER });
  const file = join(mkdtempSync(join(tmpdir(), 'webinar-bundle-')), 'bundle.json');
  writeFileSync(file, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
  process.env[WEBINAR_BUNDLE_FILE] = file;
  console.log(
    `\nTemporal dev server: ${describe(cli.executable)}\nTemporal time-skipping server: ${describe(testServer.executable)}`,
  );
}

/**
 * `exec`s the real binary (same process, so the SDK's shutdown signal reaches the server). Only a server's
 * output is redirected (`temporal server ...` and the test server, which takes a port as its first argument):
 * other CLI commands a test runs (`temporal worker deployment ...`) keep their stdout.
 */
function quietWrapper(name: string, binary: string): string {
  const dir = join(projectRoot(), '.tools', 'quiet-servers');
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, name);
  // Written aside and renamed into place: another run may be executing the current copy.
  const scratch = `${wrapper}.${process.pid}`;
  const quoted = `'${binary.replace(/'/g, `'\\''`)}'`;
  const isServer = name === 'temporal' ? '[ "$1" = server ]' : 'true';
  writeFileSync(
    scratch,
    [
      '#!/bin/sh',
      '# Written by test/global-setup.ts (quiet tests): server output goes to the test file log.',
      `if ${isServer}; then exec ${quoted} "$@" >>"\${${TEMPORAL_SERVER_LOG}:-/dev/null}" 2>&1; fi`,
      `exec ${quoted} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(scratch, 0o755);
  renameSync(scratch, wrapper);
  return wrapper;
}

function describe(executable: { type: string; path?: string }): string {
  return executable.type === 'existing-path' ? (executable.path ?? '') : "the SDK's download";
}
