/**
 * The mutations `npm run test:mutations` applies one at a time (scripts/mutations.ts): each breaks one
 * reliability claim, and the named tests must catch it. test/tooling/mutations.test.ts keeps the list true to
 * the code (each text found exactly once), so a refactor cannot leave a mutation that no longer applies.
 */
export interface Mutation {
  name: string;
  /** The reliability claim this break violates (the README table's wording). */
  claim: string;
  file: string;
  /** Exact text, found exactly once in `file`. */
  find: string;
  replace: string;
  /** Test files (relative to the root) of which at least one test must fail. */
  tests: string[];
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'no-stale-run-guard',
    claim: 'A query never changes what a workflow does, even when it meets a worker restarting',
    file: 'workflows/stale-run-guard.ts',
    find: '        throw new StaleRunError(historyLength);',
    replace: '        return next(input);',
    tests: [
      'test/workflows/stale-run-guard.test.ts',
      'test/chaos/operations.chaos.ts',
      'test/reliability/query-during-restart.reliability.ts',
    ],
  },
  {
    name: 'drop-client-request-token',
    claim: 'Nothing created twice (a retried CreateMeeting after a lost response)',
    file: 'activities/chime/meetings.ts',
    find: `    ClientRequestToken: input.clientRequestToken,\n`,
    replace: '',
    tests: ['test/activities/emulator.test.ts'],
  },
  {
    name: 'delete-every-replica-too',
    claim: 'Teardown is one DeleteMeeting: the primary, whose deletion deletes its replicas',
    file: 'workflows/teardown.ts',
    find: `    // Its replicas went with it.
    w.state.meetings = [];
    return;`,
    replace: `    // Its replicas went with it.`,
    tests: ['test/reliability/meeting-order.test.ts', 'test/workflows/critical-path.test.ts'],
  },
  {
    name: 'critical-path-as-bulk',
    claim: "Every webinar's primary and presenters go ahead of any webinar's replicas and viewers",
    file: 'domain/budget/call-classes.ts',
    find: `  critical: 2,`,
    replace: `  critical: 3,`,
    tests: ['test/workflows/critical-path-order.test.ts'],
  },
  {
    name: 'operator-call-unpaid',
    claim: "An operator's lane call is paid back by one token of the Region's queue (the budget holds)",
    file: 'workflows/operator-calls.ts',
    find: `    void CancellationScope.nonCancellable(() => budget.spendBudgetToken()).catch(() => undefined);\n`,
    replace: '',
    tests: ['test/workflows/operator-lane.test.ts'],
  },
  {
    name: 'operator-lane-retries-unpaid',
    claim: "Only an operator call's first attempt borrows a token; a retry waits for its own",
    file: 'domain/budget/operator-lane.ts',
    find: `    retry: { ...options.retry, maximumAttempts: 1 },\n`,
    replace: '',
    tests: ['test/workflows/operator-lane.test.ts'],
  },
  {
    name: 'wake-at-the-provisioning-time',
    claim: 'Webinars of the same hour wake to provision spread over a second, not in the same millisecond',
    file: 'workflows/webinar.ts',
    find: `const early = wakeOffsetMs(w.spec.webinarId);`,
    replace: `const early = 0;`,
    tests: ['test/reliability/meeting-order.test.ts'],
  },
  {
    name: 'skip-the-lock',
    claim: 'Operator actions and Chime work on a webinar run one at a time (one lock)',
    file: 'workflows/context.ts',
    find: `readonly chimeLock = new Mutex();`,
    replace: `readonly chimeLock = { run: <T>(fn: () => Promise<T>): Promise<T> => fn() };`,
    tests: ['test/reliability/operator-races.test.ts'],
  },
  {
    name: 'fail-all-late-attendees',
    claim: 'A refused replica fails only the late attendees who needed it',
    file: 'workflows/provisioning.ts',
    find: 'recordError(w.state, `opening ${key} for late attendees failed: ${replicaRefused.message}`);',
    replace:
      'recordError(w.state, `opening ${key} for late attendees failed: ${replicaRefused.message}`);\n' +
      "        for (const e of unplaced) if (e.state === 'pending') w.roster.failed(e.externalUserId, replicaRefused.code);",
    tests: ['test/reliability/limits.test.ts'],
  },
  {
    name: 'drop-data-converter-of-chime-workers',
    claim: 'Payloads are encrypted at rest with PAYLOAD_ENCRYPTION_KEYS (the production wiring)',
    file: 'worker/budget/chime-workers.ts',
    find: `    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),\n`,
    replace: '',
    tests: ['test/security/codec.test.ts'],
  },
  {
    name: 'unpatched-command-change',
    claim:
      'Running webinars replay across deploys (a command change outside the patch registry fails replay)',
    file: 'workflows/teardown.ts',
    find: `  await stopTranscriptionBeforeDelete(w);\n`,
    replace: '',
    tests: ['test/workflows/replay.test.ts'],
  },
  {
    name: 'continue-after-ready',
    claim:
      'A webinar whose provisioning made the history long continues as new before READY, not while operators act',
    file: 'workflows/webinar.ts',
    find: 'if (provisioningOutgrewHistory()) {',
    replace: 'if (provisioningOutgrewHistory() && false) {',
    tests: ['test/workflows/continue-before-ready.test.ts'],
  },
  {
    name: 'hand-over-ignores-operators',
    claim:
      'A continue-as-new the server suggests waits until operators pause, not in the middle of their actions',
    file: 'workflows/continuation.ts',
    find: 'if (!interrupted || cannotWaitLonger(suggestedAt)) break;',
    replace: 'break;',
    tests: ['test/workflows/hand-over-waits-for-operators.test.ts'],
  },
  {
    name: 'health-check-interval-30s',
    claim: 'A primary the service ended is noticed within one minute, and not checked sooner',
    file: 'domain/limits.ts',
    find: 'export const MEETING_CHECK_INTERVAL_SECONDS = 60;',
    replace: 'export const MEETING_CHECK_INTERVAL_SECONDS = 30;',
    tests: ['test/reliability/meeting-order.test.ts'],
  },
  {
    name: 'emulator-never-throttles',
    claim: 'Calls are retried through throttling (the test sees throttles happen)',
    file: 'emulator/pipeline/rate-limiter.ts',
    find: '    if (!limits.enabled) return;\n',
    replace: '    return;\n',
    tests: ['test/activities/emulator.test.ts'],
  },
  {
    name: 'throttle-not-retried',
    claim: 'Calls are retried through throttling',
    file: 'activities/errors.ts',
    find: 'ThrottlingException: { retryable: true,',
    replace: 'ThrottlingException: { retryable: false,',
    tests: ['test/activities/emulator.test.ts'],
  },
  {
    name: 'config-error-loses-its-class',
    claim: 'Bad configuration: exit 2 with a ConfigError naming every variable',
    file: 'worker/config.ts',
    find: "throw new ConfigError(problems, 'worker configuration');",
    replace: "throw new Error(problems.map((p) => `${p.variable}: ${p.message}`).join('\\n'));",
    tests: ['test/worker/config.test.ts'],
  },
  {
    name: 'log-external-meeting-id',
    claim: 'No personal data in logs (at DEBUG too)',
    file: 'activities/redact.ts',
    find: "  'externalmeetingid',\n",
    replace: '',
    tests: ['test/worker/main.test.ts'],
  },
  {
    name: 'input-error-names-no-field',
    claim: 'Bad input: a clear error naming the field',
    file: 'domain/validation/fields.ts',
    find: "export const ROOT_FIELD = 'input';",
    replace: "export const ROOT_FIELD = 'value';",
    tests: ['test/reliability/bad-input.test.ts'],
  },
  {
    name: 'earlier-starts-weigh-the-same',
    claim: 'Earlier starts go first: the webinar that starts sooner gets most of a shared budget',
    file: 'domain/budget/fairness.ts',
    find: '  return 2 ** ((MAX_PROVISION_LEAD_SECONDS - s) / START_WEIGHT_DOUBLING_SECONDS);',
    replace: '  return 1 + 0 * s;',
    tests: ['test/workflows/critical-path-order.test.ts'],
  },
  {
    name: 'presenters-batch-alone',
    claim: "The presenters' step costs no extra call: their batch is topped up with viewers",
    file: 'workflows/provisioning.ts',
    find: '    if (round === 1 && last) {',
    replace: '    if (round === 0 && last) {',
    tests: ['test/workflows/critical-path.test.ts'],
  },
];
