/**
 * What a benchmark hands back and writes: its goals (goal / measured / met), its outcome, the JSON under
 * bench/results/, and its time-stamped log lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Goal {
  benchmark: string;
  metric: string;
  goal: string;
  measured: string;
  met: boolean | 'n/a';
}

export interface BenchOutcome {
  name: string;
  goals: Goal[];
  result: unknown;
}

export const RESULTS_DIR = path.join(__dirname, '..', 'results');

export function writeResult(name: string, value: unknown): string {
  const out = path.join(RESULTS_DIR, `${name}.json`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(value, null, 2)}\n`);
  return path.relative(process.cwd(), out);
}

export function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}
