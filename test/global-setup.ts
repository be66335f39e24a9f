import { resolveTemporalCli, resolveTimeSkippingServer } from '../worker/temporal-servers';

/**
 * Resolves (and if needed installs) both Temporal servers once, before test files run in parallel,
 * and hands the paths to every test worker through the environment.
 */
export default function globalSetup(): void {
  const cli = resolveTemporalCli();
  if (cli.executable.type === 'existing-path') process.env.TEMPORAL_CLI_PATH = cli.executable.path;
  const testServer = resolveTimeSkippingServer();
  if (testServer.executable.type === 'existing-path') {
    process.env.TEMPORAL_TEST_SERVER_PATH = testServer.executable.path;
  }
  console.log(
    `\nTemporal dev server: ${describe(cli.executable)}\nTemporal time-skipping server: ${describe(testServer.executable)}`,
  );
}

function describe(executable: { type: string; path?: string }): string {
  return executable.type === 'existing-path' ? (executable.path ?? '') : "the SDK's download";
}
