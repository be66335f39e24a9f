/**
 * The mutation catalogue (scripts/mutations.ts) stays true as the code moves: each mutation's text is found
 * exactly once in its file, so `npm run test:mutations` breaks what it says it breaks. (Issue #12's refactor
 * moved 9 of the 13 targets; nothing noticed until the next mutation run.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MUTATIONS } from '../../scripts/mutations';

const ROOT = join(__dirname, '..', '..');

it.each(MUTATIONS.map((m) => [m.name, m] as const))(
  'mutation %s: its text is in its file exactly once, and its tests exist',
  (_name, m) => {
    const text = readFileSync(join(ROOT, m.file), 'utf8');
    expect({ file: m.file, found: text.split(m.find).length - 1 }).toEqual({ file: m.file, found: 1 });
    for (const test of m.tests) expect(() => readFileSync(join(ROOT, test))).not.toThrow();
  },
);
