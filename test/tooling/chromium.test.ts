/**
 * tooling/chromium.ts on what a machine may have: a CHROMIUM_PATH, an installed browser, or neither, where it
 * installs Debian's package with apt-get (here a stand-in apt-get on PATH that fails the first install, so the
 * update and the second install run). The real install is what a fresh CI machine does in the browser test.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveChromium } from '../../tooling/chromium';

const dir = mkdtempSync(join(tmpdir(), 'chromium-tooling-'));

function executable(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

it('takes CHROMIUM_PATH when it is an executable, and refuses one that is not', () => {
  const browser = executable('my-chromium', 'exit 0');
  expect(resolveChromium({ env: { CHROMIUM_PATH: browser }, install: false })).toBe(browser);
  expect(() => resolveChromium({ env: { CHROMIUM_PATH: join(dir, 'nowhere') } })).toThrow(
    /CHROMIUM_PATH=.*nowhere is not an executable file/,
  );
});

it('takes the first installed candidate, and without one and without installing says what it tried', () => {
  const installed = executable('chromium-installed', 'exit 0');
  expect(resolveChromium({ env: {}, candidates: [join(dir, 'absent'), installed] })).toBe(installed);
  expect(() => resolveChromium({ env: {}, candidates: [join(dir, 'absent')], install: false })).toThrow(
    /No Chromium for the browser tests\. Tried: CHROMIUM_PATH \(unset\); .*absent \(absent\)\. .*apt-get install --no-install-recommends chromium/,
  );
});

const asRoot = process.getuid?.() === 0 ? it : it.skip;

asRoot(
  'installs with apt-get, running apt-get update and the install again when the first install fails',
  () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const target = join(dir, 'chromium-from-apt');
    const calls = join(dir, 'apt-calls');
    const apt = join(bin, 'apt-get');
    writeFileSync(
      apt,
      `#!/bin/sh
echo "$*" >> ${calls}
case "$*" in
  *--version*) exit 0 ;;
  *update*) touch ${dir}/updated; exit 0 ;;
  *install*) [ -e ${dir}/updated ] || { echo "E: Unable to locate package chromium" >&2; exit 100; }
    printf '#!/bin/sh\\n' > ${target}; chmod 755 ${target}; exit 0 ;;
esac
exit 1
`,
    );
    chmodSync(apt, 0o755);
    const logged: string[] = [];
    const found = resolveChromium({
      env: { PATH: `${bin}:/usr/bin:/bin` },
      candidates: [target],
      log: (line) => logged.push(line),
    });
    expect(found).toBe(target);
    expect(logged).toEqual(['Chromium: installing Debian package chromium with apt-get']);
    expect(
      readFileSync(calls, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.replace('-o DPkg::Lock::Timeout=300 ', '')),
    ).toEqual([
      '--version',
      'install -y --no-install-recommends chromium',
      'update',
      'install -y --no-install-recommends chromium',
    ]);
  },
);

asRoot('fails naming apt-get and its last words when the install fails even after an update', () => {
  const bin = mkdtempSync(join(dir, 'bin-'));
  executable('unused', 'exit 0');
  const apt = join(bin, 'apt-get');
  writeFileSync(
    apt,
    `#!/bin/sh\ncase "$*" in *--version*) exit 0 ;; *update*) exit 0 ;; esac\necho "E: no network" >&2\nexit 100\n`,
  );
  chmodSync(apt, 0o755);
  expect(() =>
    resolveChromium({ env: { PATH: `${bin}:/usr/bin:/bin` }, candidates: [join(dir, 'never')] }),
  ).toThrow(/apt-get install chromium \(failed, also after apt-get update\)\. E: no network\./);
});
