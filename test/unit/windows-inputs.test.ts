/**
 * Issue 27: the inputs of a flush in windows (`max-lag`, `window`, `lag-query`), read the same from
 * both surfaces; left out, the flush stops the applier once, as before. Each bad value is refused
 * naming the input as its surface calls it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { readActionSettings } from '../../src/action/inputs.js';
import { buildProgram, flushSettingsFrom } from '../../src/cli/program.js';
import { resumeSettings } from '../../src/config/resume.js';
import { recordedOptions } from '../../src/journal/options.js';
import { namesFor } from '../../src/model/input-names.js';
import { defaultWindow, parseLagQuery, type FlushSettings } from '../../src/model/settings.js';
import { tempDir } from '../support/temp.js';
import { flush } from '../../src/engine/flush.js';
import { memoryLogger } from '../../src/model/log.js';

const env = { RUNNER_TEMP: '/tmp/rt', MYSQL_PWD: '' };
const noCnf = join(tempDir('bf-cnf-'), 'my.cnf');
writeFileSync(noCnf, '[client]\n');

function cli(...flags: string[]): FlushSettings {
  let got: FlushSettings | undefined;
  const program = buildProgram({ env, stdout: () => undefined, stderr: () => undefined }, () => undefined);
  const flush = program.commands.find((c) => c.name() === 'flush')!;
  flush.action((_o: unknown, cmd: Command) => {
    got = flushSettingsFrom(cmd, env);
  });
  program.parse(['flush', '--mycnf', noCnf, '--host', 'db1', ...flags], { from: 'user' });
  return got!;
}

function action(inputs: Record<string, string>): FlushSettings {
  return readActionSettings((n) => ({ mycnf: noCnf, host: 'db1', databases: '*', ...inputs })[n] ?? '', env)
    .flush;
}

describe('the windows inputs (issue 27)', () => {
  it('left out: no windows, the one stop of today', () => {
    expect(cli().windows).toBeUndefined();
    expect(action({}).windows).toBeUndefined();
  });

  it.each([
    // max-lag, window, the settings
    ['5', undefined, { maxLag: 5, window: 3, catchUpTo: 2 }],
    ['1', undefined, { maxLag: 1, window: 1, catchUpTo: 0 }],
    ['10', undefined, { maxLag: 10, window: 5, catchUpTo: 5 }],
    ['10', '10', { maxLag: 10, window: 10, catchUpTo: 0 }],
    ['10', '2', { maxLag: 10, window: 2, catchUpTo: 8 }],
  ] as const)('max-lag %s, window %s -> %o, the same from both surfaces', (maxLag, window, want) => {
    const flags = ['--max-lag', maxLag, ...(window ? ['--window', window] : [])];
    expect(cli(...flags).windows).toEqual(want);
    expect(action({ 'max-lag': maxLag, ...(window && { window }) }).windows).toEqual(want);
  });

  it('the default window is half the bound, rounded up, and never 0', () => {
    expect([1, 2, 3, 5, 60].map(defaultWindow)).toEqual([1, 1, 2, 3, 30]);
  });

  it('a lag query is kept as one statement, its trailing ; dropped', () => {
    expect(cli('--max-lag', '5', '--lag-query', 'SELECT lag FROM hb.t;').windows?.lagQuery).toBe(
      'SELECT lag FROM hb.t',
    );
    expect(
      action({ 'max-lag': '5', 'lag-query': ' with x as (select 1 a) select a from x ' }).windows,
    ).toEqual({
      maxLag: 5,
      window: 3,
      catchUpTo: 2,
      lagQuery: 'with x as (select 1 a) select a from x',
    });
  });

  it.each([
    [['--max-lag', '0'], /^--max-lag: expected a whole number from 1 to 86400, got 0/],
    [['--max-lag', '2.5'], /^--max-lag: expected a whole number/],
    [['--max-lag', '5', '--window', '6'], /^--window: 6 is over --max-lag \(5\)/],
    [['--max-lag', '5', '--window', '0'], /^--window: expected a whole number from 1/],
    [['--window', '3'], /^--window: is for a flush in windows and needs --max-lag/],
    [['--lag-query', 'SELECT 1'], /^--lag-query: is for a flush in windows and needs --max-lag/],
    [['--max-lag', '5', '--lag-query', 'SHOW SLAVE STATUS'], /^--lag-query: expected one SELECT/],
    [
      ['--max-lag', '5', '--lag-query', 'SELECT 1; DROP TABLE t'],
      /^--lag-query: holds more than one statement/,
    ],
    [['--max-lag', '5', '--no-stop-slave'], /^--max-lag: conflicts with --no-stop-slave/],
  ])('the command line refuses %j', (flags, message) => {
    expect(() => cli(...flags)).toThrow(message);
  });

  it.each([
    [{ 'max-lag': '5', window: '9' }, /^window: 9 is over max-lag \(5\)/],
    [{ window: '3' }, /^window: is for a flush in windows and needs max-lag; give max-lag too/],
    [{ 'max-lag': '5', 'lag-query': 'DELETE FROM t' }, /^lag-query: expected one SELECT/],
    [{ 'max-lag': '5', 'stop-replica': 'false' }, /^max-lag: conflicts with stop-replica: false/],
  ])('the action refuses %j, in its own words', (inputs, message) => {
    expect(() => action(inputs)).toThrow(message);
  });

  it('parseLagQuery names the input it is given', () => {
    expect(() => parseLagQuery('lag', 'UPDATE t SET a = 1')).toThrow(/^lag: /);
    expect(parseLagQuery('lag', 'select 3')).toBe('select 3');
  });
});

describe('--resume keeps the windows of the run it resumes', () => {
  const cliNames = namesFor('cli');
  const earlier = recordedOptions(cli('--max-lag', '8', '--window', '3', '--lag-query', 'SELECT 2'));

  it('the journal records them, and null without windows', () => {
    expect(earlier.windows).toEqual({ maxLag: 8, window: 3, lagQuery: 'SELECT 2' });
    expect(recordedOptions(cli()).windows).toBeNull();
  });

  it('taken when not chosen, the catch-up target with them', () => {
    expect(resumeSettings(cli(), { ...earlier }, 'j', cliNames).windows).toEqual({
      maxLag: 8,
      window: 3,
      catchUpTo: 5,
      lagQuery: 'SELECT 2',
    });
  });

  it('a run without windows resumed stays without them; a journal of an older version leaves them as given', () => {
    const none = recordedOptions(cli());
    expect(resumeSettings(cli(), { ...none }, 'j', cliNames).windows).toBeUndefined();
    const { windows: _, ...older } = none;
    expect(resumeSettings(cli('--max-lag', '4'), older, 'j', cliNames).windows).toEqual({
      maxLag: 4,
      window: 2,
      catchUpTo: 2,
    });
  });

  it('a chosen value that differs is refused, naming the input', () => {
    expect(() => resumeSettings(cli('--max-lag', '9'), { ...earlier }, 'j', cliNames)).toThrow(
      /^--max-lag: differs from the run being resumed \(j ran with 8, this run gives 9\)/,
    );
    expect(() =>
      resumeSettings(cli('--max-lag', '8', '--window', '4'), { ...earlier }, 'j', cliNames),
    ).toThrow(/^--window: differs/);
  });
});

describe('until the windows are built, a real flush with max-lag is refused before it connects', () => {
  const deps = { log: memoryLogger(), toolVersion: 'test' };

  it('names the input and the way to check a replica, per surface', async () => {
    await expect(flush(cli('--max-lag', '5'), deps)).rejects.toThrow(
      /^--max-lag: a flush in windows is not built yet; run it with --dry-run to check this replica for it, or drop --max-lag/,
    );
    await expect(flush(action({ 'max-lag': '5' }), deps)).rejects.toThrow(
      /^max-lag: a flush in windows is not built yet; run the action with mode: plan/,
    );
  });
});
