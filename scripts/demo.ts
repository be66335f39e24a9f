/**
 * `npm run demo`: the whole job on embedded defaults, nothing else installed. Starts an ephemeral Temporal dev
 * server with its web UI, the Chime SDK Meetings emulator with the service's default limits (10 calls/s, burst
 * 20, per operation and for the account) and a worker fleet (createWebinarWorkers) in this process; schedules a
 * webinar a few seconds ahead with ~1,000 attendees across three Regions; shows each phase as it happens with a
 * registration progress bar; promotes a speaker, mutes everyone else, ends it; prints a summary table; and
 * leaves nothing running.
 *
 *   npm run demo -- [--attendees N] [--temporal-address host:port] [--namespace NS] [--no-ui]
 *
 * With --temporal-address the demo uses that server instead of starting one (the contract's search attributes
 * must be registered there, and no other webinar worker may poll its `chime.*` queues in that namespace, or
 * they would take the demo's Chime calls).
 *
 * main() runs named steps, each in scripts/demo/: parseDemoArgs (args.ts), startStack (stack.ts: emulator,
 * Temporal, worker fleet, the join API and page: join.ts), schedule demoSpec (spec.ts) and print join links for
 * the host and the viewer to be promoted, follow the phases (PhaseFollower, follower.ts) until LIVE, operateLive
 * (live.ts; before the end the demo posts both links' tokens to the join API and prints the answers), summarize
 * (summary.ts). Whatever happens, closeStack stops everything it started, in
 * reverse order, including both connections opened to an existing server. Ctrl-C cancels the webinar first (its
 * workflow tears its meetings down while the worker still runs; interrupt.ts), then closes the stack and exits
 * 130; a second Ctrl-C exits at once.
 */
import { WebinarClient } from '../client/library/webinar-client';
import { formatFieldErrors } from '../domain/validation/fields';
import { validateWebinarSpec } from '../domain/validation/spec';
import type { RunningEmulator } from '../emulator';
import { runMain } from '../client/cli/run-main';
import { parseDemoArgs } from './demo/args';
import { DEMO_REGIONS, PROVISION_LEAD_SECONDS, START_IN_MS, demoSpec } from './demo/spec';
import { closeStack, startStack, type DemoStack } from './demo/stack';
import { PhaseFollower } from './demo/follower';
import { operateLive, promotedViewer } from './demo/live';
import { joinAnswerLine, joinLinkLines } from './demo/join';
import { DemoInterrupted, EXIT_INTERRUPTED, cancelWebinar } from './demo/interrupt';
import { formatSummary, summarize } from './demo/summary';
import { attendanceLines, connectAttendees } from './demo/attendance';

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Redraw a progress bar in place (a terminal) or print plain lines (a pipe or file). */
  isTTY: boolean;
  /** Aborting it (Ctrl-C) cancels the webinar and stops everything the demo started. */
  signal?: AbortSignal;
}

/** Runs the demo; returns the exit code (0 only when the webinar ended and nothing was left behind). */
export async function main(argv: string[], io: Partial<DemoIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  const isTTY = io.isTTY ?? process.stdout.isTTY === true;
  const signal = io.signal;
  const say = (t: string): void => out(`${t}\n`);

  const options = parseDemoArgs(argv, say, err);
  if (typeof options === 'number') return options;
  const spec = demoSpec(options.attendees);
  const validated = validateWebinarSpec(spec);
  if (!validated.ok) {
    err(`${formatFieldErrors(validated.errors)}\n`);
    return 2;
  }

  const t0 = Date.now();
  const stack: DemoStack = { ownConnections: [] };
  let webinars: WebinarClient | undefined;
  let scheduled = false;
  try {
    const { client, workers, join, credentials } = await startStack(options, spec, stack, say);
    if (signal?.aborted) throw new DemoInterrupted();
    const webinarClient = new WebinarClient(client, { taskQueue: workers.taskQueue });
    webinars = webinarClient;
    await webinars.schedule(spec);
    scheduled = true;
    say(
      `\nScheduled webinar ${spec.webinarId}: ${options.attendees} attendees, primary ${DEMO_REGIONS.primary}, replicas in ` +
        `${DEMO_REGIONS.replicas.join(' and ')}; starts ${spec.startAt} (provisioning ${PROVISION_LEAD_SECONDS} s before)`,
    );
    const joiners = ['host-1', promotedViewer(spec)];
    say('Join links (they open the join page while the demo runs):');
    for (const line of joinLinkLines(join, spec, joiners)) say(line);

    const follower = new PhaseFollower(webinars, spec.webinarId, t0, { out, say, isTTY }, signal);
    const live = await follower.until((s) => s.phase === 'LIVE', START_IN_MS + 120_000);
    follower.clearBar();
    say(
      `        primary ${live.primary?.region ?? '-'}; replicas: ${
        live.replicas.map((r) => `${r.region} (${r.attendees})`).join(', ') || 'none'
      }`,
    );
    await operateLive(webinars, spec, say, signal, async () => {
      for (const id of joiners) say(`        ${await joinAnswerLine(join, spec, id)}`);
      await connectAttendees(
        webinarClient,
        spec,
        credentials,
        stack.emulator as RunningEmulator,
        joiners,
        say,
      );
    });
    const outcome = await webinars.result(spec.webinarId);
    follower.observe(await webinars.status(spec.webinarId, { live: true }));

    // Step 5.
    const summary = summarize(spec, stack.emulator as RunningEmulator, follower.seen, outcome, t0);
    say(formatSummary(summary));
    for (const line of await attendanceLines(spec, outcome.attendance, credentials)) say(line);
    if (follower.last?.phase !== 'ENDED' || summary.meetingsLeft !== 0) {
      err(
        `The demo did not end cleanly: phase ${follower.last?.phase ?? '?'}, ${summary.meetingsLeft} meetings left\n`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof DemoInterrupted || signal?.aborted) {
      if (scheduled && webinars) await cancelWebinar(webinars, spec.webinarId, err);
      return EXIT_INTERRUPTED;
    }
    err(`\nThe demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await closeStack(stack);
  }
}

if (require.main === module) {
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) {
      process.stderr.write('\nSecond Ctrl-C: exiting without cleaning up\n');
      process.exit(EXIT_INTERRUPTED);
    }
    process.stderr.write(
      '\nInterrupted: cancelling the webinar, then stopping the worker, Temporal and the emulator (Ctrl-C again to exit now)...\n',
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  runMain(() => main(process.argv.slice(2), { signal: interrupt.signal }), { exit: 'now' });
}
