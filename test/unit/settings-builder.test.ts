import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { readActionSettings } from '../../src/action/inputs.js';
import { buildProgram, flushSettingsFrom } from '../../src/cli/program.js';
import type { FlushSettings } from '../../src/model/settings.js';
import { tempDir } from '../support/temp.js';

const env = { RUNNER_TEMP: '/tmp/rt', MYSQL_PWD: '' };
/** An option file with a [client] section that names nothing the tests set. */
const noCnf = join(tempDir('bf-cnf-'), 'my.cnf');
writeFileSync(noCnf, '[client]\n');

/** The flush settings the CLI builds from these flags. */
function cli(...flags: string[]): FlushSettings {
  let got: FlushSettings | undefined;
  const program = buildProgram({ env, stdout: () => undefined, stderr: () => undefined }, () => undefined);
  const flush = program.commands.find((c) => c.name() === 'flush')!;
  flush.action((_o: unknown, cmd: Command) => {
    got = flushSettingsFrom(cmd, env);
  });
  program.parse(['flush', '--mycnf', noCnf, ...flags], { from: 'user' });
  return got!;
}

/** The flush settings the action builds from these inputs. */
function action(inputs: Record<string, string>): FlushSettings {
  return readActionSettings((n) => ({ mycnf: noCnf, databases: '*', ...inputs })[n] ?? '', env).flush;
}

describe('GTID placement and retention margin', () => {
  it('the same from flags and inputs; a tag is lower-cased as MySQL compares it', () => {
    expect(cli('--host', 'db1', '--gtid-domain-id', '77').gtid).toEqual({ domainId: 77, tag: undefined });
    expect(action({ host: 'db1', 'gtid-domain-id': '77' }).gtid).toEqual({ domainId: 77, tag: undefined });
    expect(cli('--host', 'db1', '--gtid-tag', 'BF_flush').gtid).toEqual({
      domainId: undefined,
      tag: 'bf_flush',
    });
    expect(cli('--host', 'db1').gtid).toBeUndefined();
    expect(cli('--host', 'db1').retentionMarginHours).toBe(24);
    expect(action({ host: 'db1', 'retention-margin': '72' }).retentionMarginHours).toBe(72);
  });
  it('refuses a bad tag, a domain out of range, and both at once, naming the input', () => {
    expect(() => cli('--host', 'db1', '--gtid-tag', '9lives')).toThrow(
      /--gtid-tag: "9lives" is not a GTID tag/,
    );
    expect(() => action({ host: 'db1', 'gtid-tag': 'a-b' })).toThrow(/^gtid-tag: "a-b" is not a GTID tag/);
    expect(() => cli('--host', 'db1', '--gtid-domain-id', '4294967296')).toThrow(/--gtid-domain-id/);
    expect(() => cli('--host', 'db1', '--gtid-domain-id', '1', '--gtid-tag', 'x')).toThrow(
      /--gtid-tag: cannot be combined with --gtid-domain-id/,
    );
  });
});

/** The settings without what differs by surface: the journal's default path, the surface itself. */
const strip = (s: FlushSettings) => ({
  ...s,
  hashfile: undefined,
  connection: { ...s.connection, surface: undefined },
});

describe('one settings builder for the CLI and the action', () => {
  it('the same defaults, the default user included', () => {
    // '*': every schema but the system ones, said on purpose on both surfaces.
    const c = cli('--host', 'db1', '--db', '*');
    const a = action({ host: 'db1' });
    expect(c.selection.databases).toEqual([]);
    expect(strip(c)).toEqual(strip(a));
    expect([c.connection.surface, a.connection.surface]).toEqual(['cli', 'action']);
    expect(c.connection.user).toBe('root');
    expect(c.controls).toEqual({ brakeStatus: 'Threads_running', statusInterval: 5 });
    expect(c.maxTablesAside).toBe(c.concurrency);
  });

  it('the same values from flags and inputs', () => {
    const c = cli(
      '--host',
      'db1',
      '--concurrency',
      '8',
      '--max-tables-aside',
      '3',
      '--pause-file',
      '/tmp/p',
      '--max-load',
      'Threads_connected=40',
      '--max-rows-per-second',
      '5000',
      '--status-interval',
      '0',
      '--db',
      'a,b',
      '--stop-on-error',
    );
    const a = action({
      host: 'db1',
      concurrency: '8',
      'max-tables-aside': '3',
      'pause-file': '/tmp/p',
      'max-load': 'Threads_connected=40',
      'max-rows-per-second': '5000',
      'status-interval': '0',
      databases: 'a,b',
      'stop-on-error': 'true',
    });
    expect(strip(c)).toEqual(strip(a));
    expect(c.controls).toEqual({
      pauseFile: '/tmp/p',
      brakeStatus: 'Threads_connected',
      brakeLimit: 40,
      maxRowsPerSecond: 5000,
      statusInterval: 0,
    });
  });

  it.each([
    [['--max-load', 'lots'], { 'max-load': 'lots' }, /expected STATUS=LIMIT/],
    [['--concurrency', '0'], { concurrency: '0' }, /expected a whole number from 1 to 64/],
    [['--max-rows-per-second', '-1'], { 'max-rows-per-second': '-1' }, /expected a whole number/],
    [['--db', 'a', '--skip', 'a'], { databases: 'a', skip: 'a' }, /is both selected with/],
    [
      ['--start-slave', '--no-stop-slave'],
      { 'start-replica': 'true', 'stop-replica': 'false' },
      /conflicts with/,
    ],
  ])('%j / %j: the same message, each naming the input the way its user spells it', (flags, inputs, re) => {
    const fromCli = (() => {
      try {
        cli('--host', 'db1', ...flags);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    const fromAction = (() => {
      try {
        action({ host: 'db1', ...inputs });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(fromCli).toMatch(re);
    expect(fromAction).toMatch(re);
    expect(fromCli.startsWith('--')).toBe(true);
    expect(fromAction).not.toMatch(/--[a-z]/);
    // The same text once each input's name is taken out.
    const names = [
      '--no-stop-slave',
      '--start-slave',
      '--max-rows-per-second',
      '--max-load',
      '--concurrency',
      '--db',
      '--skip',
      'stop-replica: false',
      'start-replica',
      'max-rows-per-second',
      'max-load',
      'concurrency',
      'databases',
      'skip',
    ];
    const text = (m: string) => names.reduce((t, n) => t.replaceAll(n, '<input>'), m);
    expect(text(fromCli)).toBe(text(fromAction));
  });
});

describe('the password in the settings', () => {
  it('is readable where the connection is made, and absent from the settings written out whole', () => {
    const s = action({ host: 'db1', password: 'hunter22' });
    expect(s.connection.password).toBe('hunter22');
    expect(JSON.stringify(s)).not.toContain('hunter22');
    expect(inspect(s, { depth: 10 })).not.toContain('hunter22');
    expect(Object.keys(s.connection)).not.toContain('password');
    expect(cli('--host', 'db1').connection.password).toBeUndefined();
  });
});
