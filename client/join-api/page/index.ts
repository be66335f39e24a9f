/**
 * The join page: what a join link (`<base URL>#<token>`) opens. `GET /join` answers html(), `GET /join/app.js`
 * answers script(); the join API serves both (its factory's `page` option).
 *
 * The HTML is static and small: no inline script or style and nothing from another origin, so it runs under
 * `default-src 'none'; script-src 'self'; connect-src 'self'` (the join API's JOIN_PAGE_CSP allows more). The
 * script is app.ts beside this file with the real amazon-chime-sdk-js, bundled for browsers by esbuild once per
 * process, in memory (the first call builds it, every later call shares it).
 * What the page does is in app.ts; docs/join-api.md ("The join page").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface JoinPage {
  /** The page, `text/html; charset=utf-8`. */
  html(): string;
  /** The page's script, `text/javascript; charset=utf-8`, bundled on first use. */
  script(): Promise<string>;
}

export interface JoinPageOptions {
  /** Where the page posts the token; default `/v1/join`. */
  apiPath?: string;
  /** Where the page loads its script from; default `/join/app.js`. */
  scriptPath?: string;
  /** The page's title and heading; default "Join the webinar". */
  title?: string;
}

export function joinPage(options: JoinPageOptions = {}): JoinPage {
  const page = renderHtml({
    apiPath: options.apiPath ?? '/v1/join',
    scriptPath: options.scriptPath ?? '/join/app.js',
    title: options.title ?? 'Join the webinar',
  });
  return { html: () => page, script: bundledScript };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function renderHtml(o: Required<JoinPageOptions>): string {
  const field = (label: string, testId: string): string =>
    `      <dt>${label}</dt>\n      <dd data-testid="${testId}"></dd>\n`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escape(o.title)}</title>
    <script src="${escape(o.scriptPath)}" defer></script>
  </head>
  <body>
    <main data-testid="join-page" data-state="loading" data-join-api="${escape(o.apiPath)}">
    <h1>${escape(o.title)}</h1>
    <p data-testid="join-status" role="status" aria-live="polite">Checking your join link…</p>
    <noscript><p>This page needs JavaScript to read your join link.</p></noscript>
    <section data-testid="join-details" aria-labelledby="join-details-heading" hidden>
    <h2 id="join-details-heading">Your seat</h2>
    <dl>
${field('Name', 'join-name')}${field('Role', 'join-role')}${field('Meeting ID', 'join-meeting-id')}${field('Attendee ID', 'join-attendee-id')}${field('Region', 'join-region')}    </dl>
    </section>
    <section data-testid="join-primary" aria-labelledby="join-primary-heading" hidden>
    <h2 id="join-primary-heading">On stage: the primary meeting</h2>
    <dl>
${field('Meeting ID', 'join-primary-meeting-id')}${field('Attendee ID', 'join-primary-attendee-id')}${field('Region', 'join-primary-region')}    </dl>
    </section>
    <p data-testid="join-retry" hidden></p>
    <p data-testid="join-error" role="alert" hidden></p>
    </main>
  </body>
</html>
`;
}

let bundle: Promise<string> | undefined;

/** app.ts bundled for browsers, once per process; a failed build is tried again on the next call. */
function bundledScript(): Promise<string> {
  bundle ??= bundleApp().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

async function bundleApp(): Promise<string> {
  // From source (ts-node, jest) app.ts; from dist/ (tsc) app.js, which esbuild bundles just the same.
  const entry = [join(__dirname, 'app.ts'), join(__dirname, 'app.js')].find((f) => existsSync(f));
  if (!entry) throw new Error(`join page: neither app.ts nor app.js in ${__dirname}`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('join page: esbuild wrote no output');
  return output.text;
}
