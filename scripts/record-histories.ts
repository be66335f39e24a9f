/**
 * Records real runs of the representative webinar scenarios (test/histories/scenarios.ts) into test/histories/,
 * for the replay test.
 *
 *   npm run record-histories
 *
 * Re-record after a deliberate, patched() change to the workflow; never to make a failing replay pass.
 */
import { runMain } from '../client/cli/run-main';
import { recordHistories } from '../test/histories/scenarios';

runMain(recordHistories, { exit: 'now' });
