/**
 * The test environment of every suite (jest.config.js): Node's, plus quiet logs. Test output is for people —
 * names, failures, figures — so whatever the code under test writes to stderr (the Temporal SDK's logger, worker
 * state changes, webpack's bundle report, process warnings, a spawned worker's log piped through) is held back
 * per test and shown only with a test that fails, as one more failure message of that test. The Temporal servers'
 * own output goes to a per-file log (test/global-setup.ts wraps the binaries), whose tail joins the same message.
 *
 * `TEST_LOG_LEVEL=info npm test` (any value) turns this off: everything is printed live, as it happens.
 *
 * Only stderr is held back: console.log from a test (the figures some suites print) goes through Jest's console.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';

/** Set (to any value) to see logs live. */
export const TEST_LOG_LEVEL = 'TEST_LOG_LEVEL';
/** Where the wrapped Temporal servers write their output (test/global-setup.ts). */
export const TEMPORAL_SERVER_LOG = 'TEMPORAL_SERVER_LOG';

const MAX_LINES = 300;
const MAX_SERVER_LINES = 40;

type Write = typeof process.stderr.write;

export default class QuietEnvironment extends NodeEnvironment {
  private readonly quiet = !process.env[TEST_LOG_LEVEL];
  private chunks: string[] = [];
  private originalWrite: Write | undefined;
  private logDir: string | undefined;
  private serverLog: string | undefined;
  /** Tests started and not yet done: more than one while `it.concurrent` tests run side by side. */
  private running = 0;
  /** Whether tests have run side by side since the held logs were last cleared. */
  private sideBySide = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    if (!this.quiet) return;
    this.logDir = mkdtempSync(join(tmpdir(), 'test-logs-'));
    this.serverLog = join(this.logDir, 'temporal-server.log');
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.quiet) return;
    // The real environment, not the test's copy: the SDK starts servers from native code, which reads this one.
    if (this.serverLog) process.env[TEMPORAL_SERVER_LOG] = this.serverLog;
    // Kept only to be put back in teardown, never called unbound.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.originalWrite = process.stderr.write;
    const hold = (chunk: unknown, ...rest: unknown[]): boolean => {
      this.chunks.push(chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk));
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    };
    process.stderr.write = hold;
  }

  override async teardown(): Promise<void> {
    if (this.originalWrite) process.stderr.write = this.originalWrite;
    this.originalWrite = undefined;
    this.chunks = [];
    delete process.env[TEMPORAL_SERVER_LOG];
    if (this.logDir) rmSync(this.logDir, { recursive: true, force: true });
    await super.teardown();
  }

  /**
   * Logs since the previous test finished (so a beforeAll's output goes with the first test) join a failure.
   * Tests running side by side (`it.concurrent`) write into the same stderr, so each of them gets every log
   * since the first of them started, and the logs are cleared only once the last one is done.
   */
  handleTestEvent(event: Circus.Event): void {
    if (!this.quiet) return;
    if (event.name === 'test_started') {
      this.running++;
      if (this.running > 1) this.sideBySide = true;
      return;
    }
    if (event.name !== 'test_done') return;
    this.running = Math.max(0, this.running - 1);
    const held = this.chunks.join('');
    const what = this.sideBySide ? 'logs of this test and of the tests run beside it' : 'logs of this test';
    if (this.running === 0) {
      this.chunks = [];
      this.sideBySide = false;
    }
    if (event.test.errors.length === 0) return;
    const text = [describeHeld(what, held, MAX_LINES), this.serverTail()]
      .filter((part) => part !== '')
      .join('\n\n');
    if (text === '') return;
    const logs = new Error(text);
    logs.stack = text;
    event.test.errors.push(logs);
  }

  private serverTail(): string {
    if (!this.serverLog) return '';
    let text = '';
    try {
      text = readFileSync(this.serverLog, 'utf8');
    } catch {
      return '';
    }
    return describeHeld('Temporal server output of this file (tail)', text, MAX_SERVER_LINES);
  }
}

function describeHeld(what: string, text: string, max: number): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return '';
  const shown = lines.slice(-max);
  const cut = lines.length - shown.length;
  return [
    `--- ${what}: ${lines.length} lines${cut > 0 ? `, the last ${max} shown` : ''} (TEST_LOG_LEVEL=info shows them live) ---`,
    ...shown,
  ].join('\n');
}
