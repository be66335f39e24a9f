/** The demo's command line: its options, their usage text and their checks. */
import { parseArgs } from 'node:util';
import { checkHostPort } from '../../client/temporal/connection';
import { DEFAULT_PROMOTION_RESERVE, MAX_ATTENDEES } from '../../domain/limits';

/** The largest demo roster: every seat of 1 primary + 40 replicas but the default promotion reserve. */
const MAX_DEMO_ATTENDEES = MAX_ATTENDEES - DEFAULT_PROMOTION_RESERVE;

const USAGE = `Usage: npm run demo -- [--attendees N] [--temporal-address host:port] [--namespace NS] [--no-ui]
  --attendees N                 roster size (default 1000, at most ${MAX_DEMO_ATTENDEES})
  --temporal-address host:port  use a running Temporal server instead of starting a dev server
  --namespace NS                namespace on that server (default "default")
  --no-ui                       do not start the dev server's web UI`;

export interface DemoOptions {
  attendees: number;
  address?: string;
  namespace: string;
  ui: boolean;
}

/** Step 1: the command line (exit 2 on a problem, 0 for --help). */
export function parseDemoArgs(
  argv: string[],
  say: (t: string) => void,
  err: (t: string) => void,
): DemoOptions | number {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        attendees: { type: 'string', default: '1000' },
        'temporal-address': { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        'no-ui': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const attendees = Number(values.attendees);
  if (!/^\d+$/.test(values.attendees) || attendees < 1 || attendees > MAX_DEMO_ATTENDEES) {
    err(`--attendees ${values.attendees} is not a whole number in 1-${MAX_DEMO_ATTENDEES}\n`);
    return 2;
  }
  const address = values['temporal-address'];
  const addressProblem = address !== undefined ? checkHostPort(address) : undefined;
  if (addressProblem) {
    err(`--temporal-address: ${addressProblem}\n`);
    return 2;
  }
  return {
    attendees,
    ...(address !== undefined ? { address } : {}),
    namespace: values.namespace,
    ui: !values['no-ui'],
  };
}
