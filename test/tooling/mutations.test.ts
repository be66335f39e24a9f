/**
 * The mutation list stays true to the code: a refactor that moves a mutated text would otherwise turn a
 * mutation into one that "no longer applies", which only the slow, by-hand `npm run test:mutations` reports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MUTATIONS } from '../../scripts/mutation-list';

const ROOT = join(__dirname, '..', '..');

it.each(MUTATIONS.map((m) => [m.name, m] as const))(
  'mutation %s still applies: its text is found exactly once and its tests exist',
  (_name, m) => {
    const source = readFileSync(join(ROOT, m.file), 'utf8');
    expect(source.split(m.find).length - 1).toBe(1);
    expect(m.replace).not.toBe(m.find);
    for (const test of m.tests) expect(existsSync(join(ROOT, test))).toBe(true);
  },
);

it('has unique mutation names', () => {
  const names = MUTATIONS.map((m) => m.name);
  expect(new Set(names).size).toBe(names.length);
});
