/**
 * How a command-line entry point ends, written once for all of them (the worker, the CLI, the codec server, the
 * demo, scripts/ and bench/): the number main() returns is the exit code; a throw prints the error on stderr and
 * exits 1 at once, so nothing it left open can keep a failed process alive.
 *
 * Not the emulator's (emulator/main.ts): its image holds only emulator/ and domain/ (Dockerfile).
 */

export interface RunMainOptions {
  /**
   * 'now': exit as soon as main() settles, for mains that leave handles open by design (Temporal's native
   * runtime, a child server). 'when-idle' (the default): set process.exitCode and let Node exit once nothing is
   * pending, so a main that returns nothing after starting a server keeps serving.
   */
  exit?: 'now' | 'when-idle';
  /** 'message' for mains whose errors are meant for the person at the terminal (a missing setting); default 'stack'. */
  errors?: 'stack' | 'message';
}

export function runMain(main: () => Promise<number | void>, options: RunMainOptions = {}): void {
  const exitNow = options.exit === 'now';
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
      if (exitNow) process.exit(code ?? 0);
    },
    (err: unknown) => {
      const text =
        err instanceof Error
          ? options.errors === 'message'
            ? err.message
            : (err.stack ?? err.message)
          : String(err);
      process.stderr.write(`${text}\n`);
      process.exit(1);
    },
  );
}

/** A service's clean stop: on the first SIGINT or SIGTERM, `close`, then exit 0 (1 when closing failed). */
export function exitOnStopSignals(close: () => Promise<unknown>): void {
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
