/**
 * A child process the stack owns: its output is kept for error messages, it can be stopped gracefully with a
 * deadline, and it dies with its parent. Linux's parent-death signal (setpriv --pdeathsig) covers the case no
 * handler can: the stack itself killed with SIGKILL, which would otherwise orphan PostgreSQL and the server.
 * setpriv also drops root for programs that refuse it (PostgreSQL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface OwnedProcessOptions {
  /** For messages: "PostgreSQL", "Temporal server", "worker 2". */
  name: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  runAs?: RunAs;
  /** Passed through to the terminal instead of kept (the stack's own workers, when asked). */
  onOutput?: (chunk: string) => void;
}

export interface OwnedProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far (the last 200 kB). */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves when `pattern` appears in the output; rejects if the process exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal`, then SIGKILL after graceMs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const KEEP = 200_000;

export function spawnOwned(command: string, args: string[], options: OwnedProcessOptions): OwnedProcess {
  const prefix: string[] = [];
  if (existsSync(SETPRIV)) {
    prefix.push(SETPRIV, '--pdeathsig', 'KILL');
    if (options.runAs) {
      prefix.push(
        '--reuid',
        String(options.runAs.uid),
        '--regid',
        String(options.runAs.gid),
        '--clear-groups',
      );
    }
  } else if (options.runAs) {
    throw new Error(
      `${options.name} must not run as root, and ${SETPRIV} (util-linux) is missing to drop it`,
    );
  }
  const [file, ...rest] = prefix.length > 0 ? [...prefix, command, ...args] : [command, ...args];
  const child = spawn(file ?? command, rest, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    const text = d.toString();
    out = (out + text).slice(-KEEP);
    options.onOutput?.(text);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? null : code)));
    child.once('error', (err) => {
      out += `\n${err.message}`;
      resolve(null);
    });
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = (): void => {
          if (pattern.test(out)) done();
        };
        const timer = setTimeout(
          () =>
            done(new Error(`${options.name} did not print ${pattern} within ${timeoutMs} ms:\n${tail(out)}`)),
          timeoutMs,
        );
        listeners.add(check);
        void exited.then((code) =>
          done(new Error(`${options.name} exited (${String(code)}) before ${pattern}:\n${tail(out)}`)),
        );
        check();
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The last lines of a process's output, for an error message. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
