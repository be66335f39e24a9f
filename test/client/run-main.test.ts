/**
 * runMain (client/cli/run-main.ts), the ending of every entry point: main's number is the exit code, a throw exits 1
 * at once with the error on stderr, and 'now' does not wait for open handles.
 */
import { runMain } from '../../client/cli/run-main';

let exit: jest.SpyInstance;
let stderr: jest.SpyInstance;
const written = (): string => stderr.mock.calls.map((c: unknown[]) => String(c[0])).join('');
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  exit.mockRestore();
  stderr.mockRestore();
  process.exitCode = undefined;
});

it("sets the exit code main returns and leaves the process to end by itself ('when-idle')", async () => {
  runMain(async () => 2);
  await settled();
  expect(process.exitCode).toBe(2);
  expect(exit).not.toHaveBeenCalled();
});

it('leaves a main that returns nothing running (a server keeps serving)', async () => {
  runMain(async () => undefined);
  await settled();
  expect(process.exitCode).toBeUndefined();
  expect(exit).not.toHaveBeenCalled();
});

it("'now' exits with main's code, 0 when it returns nothing", async () => {
  runMain(async () => 3, { exit: 'now' });
  runMain(async () => undefined, { exit: 'now' });
  await settled();
  expect(exit.mock.calls).toEqual([[3], [0]]);
});

it('a throw prints the stack and exits 1 at once, whatever the exit option', async () => {
  runMain(async () => {
    throw new Error('boom in main');
  });
  await settled();
  expect(exit).toHaveBeenCalledWith(1);
  expect(written()).toMatch(/^Error: boom in main\n\s+at /);
});

it("errors: 'message' prints only the message, for errors meant for the person at the terminal", async () => {
  runMain(
    async () => {
      throw new Error('CODEC_SERVER_TOKEN must be set');
    },
    { errors: 'message' },
  );
  await settled();
  expect(written()).toBe('CODEC_SERVER_TOKEN must be set\n');
  expect(exit).toHaveBeenCalledWith(1);
});
