/**
 * The progress of a long suite (chaos, cluster): each line goes to stderr as it happens, stamped, so a run that
 * hangs shows where it stopped (held back with the test's logs unless it fails: test/support/quiet-environment.ts);
 * the suite prints every line together at the end, on stdout, as its summary.
 */
export interface ProgressLog {
  /** Records one line and writes it to stderr as `[tag time] line`. */
  (line: string): void;
  /** The summary: the title, then every line recorded, indented. */
  summary(title: string): string;
}

export function progressLog(tag: string): ProgressLog {
  const lines: string[] = [];
  const progress = (line: string): void => {
    lines.push(line);
    process.stderr.write(`[${tag} ${new Date().toISOString()}] ${line}\n`);
  };
  return Object.assign(progress, {
    summary: (title: string): string => `${title}:\n  ${lines.join('\n  ')}\n`,
  });
}
