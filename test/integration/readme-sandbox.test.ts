/**
 * Issue 25, finding 13: `npm run sandbox` printed no password (only the undocumented `--info FILE`
 * had it), so the README's next command could not be typed. Now it prints an option file of the
 * replica and a command that runs as printed; a flush that leaves the applier stopped names the
 * statement that starts it. Runs the sandbox of this test run's flavour (BF_SANDBOX), apart from the
 * shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';

const sb = inject('sandbox')!;
const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run sandbox, as the README gives it', () => {
  let child: ChildProcess | undefined;
  let out = '';
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await gone;
    }
  });

  it('prints an option file and a command that works as printed; a flush names how to start the applier', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/sandbox/serve.ts'), '--sample'], {
      cwd: ROOT,
      env: { ...process.env, BF_SANDBOX: process.env.BF_SANDBOX ?? 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150_000);
      const check = () => {
        if (/^try: .*$/m.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child!.stdout!.on('data', check);
      child!.once('exit', () => resolve(false));
    });
    expect(ready, out).toBe(true);
    const cnf = /option file of the replica \(user, password, host, port\): (\S+)/.exec(out)![1]!;
    expect(readFileSync(cnf, 'utf8')).toMatch(/^\[client\]\nuser=.*\npassword=.+\nhost=.*\nport=\d+\n$/);

    const tried = /^try: npx binlog-flusher (.*)$/m.exec(out)![1]!.split(' ');
    expect(tried).toEqual(['flush', '--mycnf', cnf, '--db', 'sample', '--dry-run']);
    const dry = await runCliProcess(tried);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/sample\.t/);

    const real = await runCliProcess([
      'flush',
      '--mycnf',
      cnf,
      '--db',
      'sample',
      '--hashfile',
      tempHashfile(),
    ]);
    expect(real.code, real.stdout + real.stderr).toBe(0);
    const start = sb.flavour === 'mysql' ? 'START REPLICA;' : 'START ALL SLAVES;';
    expect(real.stdout).toContain(
      `Replica applier: stopped, left stopped (start it with ${start} once you are ready)`,
    );
    // The GTID advice is said once (it was logged, then said again in the result). MariaDB always
    // logs GTIDs; MySQL only with gtid_mode=ON.
    const advice = real.stdout.split('\n').filter((l) => l.startsWith('GTIDs written by the flush'));
    expect(advice.length).toBeLessThanOrEqual(1);
    if (sb.flavour !== 'mysql') expect(advice.length).toBe(1);

    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGINT');
    await gone;
    expect(existsSync(dirname(cnf))).toBe(false);
  });
});
