/**
 * Finds the Chromium the browser tests drive (test/browser/, through playwright-core), and installs it when a
 * machine has none: a fresh CI machine runs only `npm ci && npm test`, as root, and playwright's own browser
 * download cannot be reached from this network. Debian's package can.
 *
 * Order of resolution (first hit wins):
 *   1. CHROMIUM_PATH (must be an executable; a wrong path is an error, not a fallback)
 *   2. /usr/bin/chromium, /usr/bin/chromium-browser
 *   3. `apt-get install -y --no-install-recommends chromium` as root (about 10 s); if that fails, `apt-get
 *      update` and the install once more
 * Otherwise it throws, saying what was tried and how to install it by hand.
 *
 * How it must be started here (CHROMIUM_FLAGS): headless, no sandbox (root), no GPU, and none of the
 * background connections to Google's hosts that this machine's closed network refuses.
 */
import { execFileSync } from 'node:child_process';
import { isExecutable } from './temporal-servers';

export const CHROMIUM_PATH_ENV = 'CHROMIUM_PATH';
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ResolveChromiumOptions {
  /** Install Debian's package when none is found (default true). */
  install?: boolean;
  /** Told what is being installed (the install takes seconds). */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where an installed Chromium is looked for (tests); default /usr/bin/chromium, /usr/bin/chromium-browser. */
  candidates?: readonly string[];
}

/** The path of a Chromium executable, installed first if needed; throws with what was tried. */
export function resolveChromium(options: ResolveChromiumOptions = {}): string {
  const env = options.env ?? process.env;
  const given = env[CHROMIUM_PATH_ENV];
  if (given) {
    if (isExecutable(given)) return given;
    throw new Error(`${CHROMIUM_PATH_ENV}=${given} is not an executable file`);
  }
  const candidates = options.candidates ?? CANDIDATES;
  const found = candidates.find(isExecutable);
  if (found) return found;
  const tried = [`${CHROMIUM_PATH_ENV} (unset)`, ...candidates.map((c) => `${c} (absent)`)];
  if (options.install === false) throw notFound(tried, 'installing was not asked for');
  const refusal = whyNoInstall(env);
  if (refusal) throw notFound(tried, refusal);
  options.log?.('Chromium: installing Debian package chromium with apt-get');
  const apt = (args: string[]): void => {
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  };
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  try {
    apt(install);
  } catch {
    // A fresh machine's package lists may be missing or stale: refresh them once.
    try {
      apt(['update']);
      apt(install);
    } catch (err) {
      // apt-get's last words (execFileSync's error carries its stderr; not instanceof Error across realms).
      const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
      const detail = stderr.trim().slice(-2000) || String(err);
      throw notFound([...tried, 'apt-get install chromium (failed, also after apt-get update)'], detail);
    }
  }
  const installed = candidates.find(isExecutable);
  if (!installed) throw notFound([...tried, 'apt-get install chromium (no executable after it)'], '');
  return installed;
}

function whyNoInstall(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux with apt-get`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'apt-get needs root, and this is not';
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore', env });
  } catch {
    return 'apt-get is not on PATH';
  }
  return undefined;
}

function notFound(tried: string[], why: string): Error {
  return new Error(
    `No Chromium for the browser tests. Tried: ${tried.join('; ')}.${why ? ` ${why}.` : ''} ` +
      `Install it (Debian: apt-get install --no-install-recommends chromium) or set ${CHROMIUM_PATH_ENV}.`,
  );
}
