/**
 * Quiet tests (test/support/quiet-environment.ts): a child Jest runs fixtures with passing and failing tests that
 * all write logs; only a failing test's logs are printed, with that test (tests run side by side share theirs),
 * and TEST_LOG_LEVEL prints all.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function runFixture(env: NodeJS.ProcessEnv): string {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--rootDir',
      root,
      '--roots',
      '<rootDir>/test/fixtures/quiet',
      '--testMatch',
      '**/*.fixture.ts',
      '--globalSetup',
      '',
      '--ci',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 110_000 },
  );
  expect(result.status).toBe(1); // the fixture has a failing test
  return `${result.stdout}${result.stderr}`;
}

let quietOutput: string | undefined;
/** The fixtures' output with quiet logs (the default), run once for the tests that read it. */
const quietRun = (): string => (quietOutput ??= runFixture({ TEST_LOG_LEVEL: '' }));

it('shows the logs of a failing test with that test, and none of a passing one', () => {
  const output = quietRun();
  expect(output).toContain('✕ fails noisily');
  expect(output).toContain('logs of this test: 1 lines');
  expect(output).toContain('LOG-OF-THE-FAILING-TEST');
  expect(output).not.toContain('LOG-OF-THE-PASSING-TEST');
  // The logs are part of the failure report, after the failing expectation.
  expect(output.indexOf('LOG-OF-THE-FAILING-TEST')).toBeGreaterThan(
    output.indexOf('expect(received).toBe(expected)'),
  );
});

it('gives a failing test run side by side (it.concurrent) the logs of the tests beside it, and none from after', () => {
  const output = quietRun();
  expect(output).toContain('✕ fails beside another');
  expect(output).toContain('logs of this test and of the tests run beside it: 2 lines');
  expect(output).toContain('LOG-BESIDE-THE-FAILING-TEST');
  expect(output).toContain('LOG-OF-THE-FAILING-CONCURRENT-TEST');
  expect(output).not.toContain('LOG-AFTER-THE-CONCURRENT-TESTS');
});

it('prints every log live when TEST_LOG_LEVEL is set', () => {
  const output = runFixture({ TEST_LOG_LEVEL: 'info' });
  expect(output).toContain('LOG-OF-THE-PASSING-TEST');
  expect(output).toContain('LOG-OF-THE-FAILING-TEST');
  expect(output).not.toContain('logs of this test');
});
