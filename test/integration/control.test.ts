/**
 * Live control (issue 17): the control file's commands (status, pause, resume, throttle, abort) are
 * each answered (in FILE.answers and the log) and journaled, in the CLI and in the action; an abort
 * and a critical load end the run cleanly, every table put back, with an exact account.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { mycnfFor, runCliProcess, startCli } from '../support/cli.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush, tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';
import { startStandIn, type StandIn } from '../support/github-standin.js';
import { newJob, runStep } from '../support/action-runner.js';
import { DEFAULTS } from '../../src/model/settings.js';
import { waitFor, waitUntil } from '../support/process.js';

const sb = inject('sandbox')!;
const S = 'bf_control';

const answerLines = (file: string): string[] =>
  existsSync(`${file}.answers`) ? readFileSync(`${file}.answers`, 'utf8').split('\n') : [];

/** The lines of the answers file, once one matches `pattern` (within 30 s). */
async function answered(file: string, pattern: RegExp): Promise<string[]> {
  const lines = () => answerLines(file).filter(Boolean);
  await waitUntil(
    `an answer matching ${pattern} in ${file}.answers`,
    () => lines().some((l) => pattern.test(l)),
    30_000,
    () => lines().join(' | '),
  );
  return lines();
}

/** Append a command and wait for its answer; returns the answer. */
async function command(file: string, line: string): Promise<string> {
  const before = answerLines(file).length;
  appendFileSync(file, `${line}\n`);
  const mine = () =>
    answerLines(file)
      .slice(Math.max(0, before - 1))
      .find((l) => l.includes(` ${line} -> `));
  await waitUntil(`an answer to ${line}`, () => mine() !== undefined, 30_000);
  const a = mine()!;
  return a.slice(a.indexOf(' -> ') + 4);
}

const journalControls = (hashfile: string) =>
  readFileSync(hashfile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; command?: string; answer?: string })
    .filter((r) => r.type === 'control')
    .map((r) => `${r.command} -> ${r.answer}`);

describe('live control', () => {
  let before: unknown;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const maria = sb.flavour === 'mariadb';
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
        CREATE TABLE ${S}.a (id INT PRIMARY KEY, v INT);
        INSERT INTO ${S}.a SELECT seq, seq FROM (${seqSql(maria, 20000)}) s;
        CREATE TABLE ${S}.b (id INT PRIMARY KEY, v INT);
        INSERT INTO ${S}.b SELECT seq, seq FROM (${seqSql(maria, 5000)}) s;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    await withSql(sb.replica, (c) => c.query(`ANALYZE LOCAL TABLE ${S}.a, ${S}.b`));
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
  }, 120_000);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });
  const intact = async () => {
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  };

  it('CLI: status, pause, throttle, a refused brake, resume and abort are answered and journaled; the abort puts every table back', async () => {
    const hashfile = tempHashfile();
    const ctl = `${hashfile}.ctl`;
    const cnf = mycnfFor(sb.replica);
    const run = startCli([
      'flush',
      '--mycnf',
      cnf,
      '--db',
      S,
      '--chunk-size',
      '200',
      '--concurrency',
      '2',
      '--max-rows-per-second',
      '2000',
      '--control-file',
      ctl,
      '--hashfile',
      hashfile,
    ]);
    // Appended once the journal exists (the channel is open by then), before the copy begins: carried
    // out once it does.
    await waitFor(() => existsSync(hashfile), 60_000);
    appendFileSync(ctl, 'status\n');
    expect((await answered(ctl, / status -> /)).join('\n')).toMatch(
      /status -> progress: tables \d\/2, rows .*; tables aside \d; pause off, max-rows-per-second 2000, max-load off, critical-load off/,
    );
    expect(await command(ctl, 'pause')).toMatch(/^paused: no new chunk starts/);
    // A worker is held by the pause once the run says so: from then on the status counts the pause.
    await run.waitForOutput(/paused by the control channel; `resume` goes on/);
    expect(await command(ctl, 'status')).toMatch(
      /, paused for [1-9]\d*s; tables aside \d; pause on \(control channel\)/,
    );
    expect(await command(ctl, 'throttle max-rows-per-second=50000')).toBe('max-rows-per-second 50000');
    expect(await command(ctl, 'throttle max-load=No_such_status=5')).toBe(
      'refused: max-load: this server has no status No_such_status (SHOW GLOBAL STATUS does not list it)',
    );
    expect(await command(ctl, 'throttle max-load=Threads_running=500')).toBe('max-load Threads_running=500');
    // Issue 26: a limit the input would refuse, and a critical load not over the brake now in force.
    expect(await command(ctl, 'throttle max-load=0')).toBe(
      'refused: max-load: expected a whole number from 1 to 100000, got 0',
    );
    expect(await command(ctl, 'throttle critical-load=Threads_running=400')).toBe(
      'refused: critical-load: Threads_running=400 is not over max-load (500): the run would end before the brake ever held it; give a limit from 501 to 100000',
    );
    expect(await command(ctl, 'bogus')).toMatch(/^refused: not a command: "bogus"; commands: status/);
    expect(await command(ctl, 'resume')).toMatch(
      /^resumed; pause off, max-rows-per-second 50000, max-load Threads_running=500, critical-load off$/,
    );
    expect(await command(ctl, 'throttle max-rows-per-second=1000')).toBe('max-rows-per-second 1000');
    expect(await command(ctl, 'abort')).toBe('aborting: no new chunk starts; every table goes back');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain('Stopped: aborted by the control channel');
    expect(r.stderr).toContain(
      'aborted by the control channel: stopping the running copies and putting every table back',
    );
    expect(journalControls(hashfile)).toEqual([
      expect.stringMatching(/^status -> progress: /),
      expect.stringMatching(/^pause -> paused: /),
      expect.stringMatching(/^status -> progress: .*paused for/),
      'throttle max-rows-per-second=50000 -> max-rows-per-second 50000',
      expect.stringMatching(/^throttle max-load=No_such_status=5 -> refused: /),
      'throttle max-load=Threads_running=500 -> max-load Threads_running=500',
      expect.stringMatching(
        /^throttle max-load=0 -> refused: max-load: expected a whole number from 1 to 100000/,
      ),
      expect.stringMatching(/^throttle critical-load=Threads_running=400 -> refused: critical-load: /),
      expect.stringMatching(/^bogus -> refused: /),
      expect.stringMatching(/^resume -> resumed; /),
      'throttle max-rows-per-second=1000 -> max-rows-per-second 1000',
      'abort -> aborting: no new chunk starts; every table goes back',
    ]);
    const v = await runCliProcess(['verify', '--mycnf', cnf, '--hashfile', hashfile]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    await intact();
  }, 180_000);

  it('a critical load ends the run cleanly: every table back, the reason in the result', async () => {
    // Threads_connected counts the run's own sessions: over 1 as soon as the copy starts.
    const s = flushSettings(sb.replica, {
      selection: { databases: [S], tables: [], skip: [] },
      chunkSize: 200,
      controls: {
        brakeStatus: DEFAULTS.brakeStatus,
        statusInterval: 0,
        maxRowsPerSecond: 2000,
        criticalLoad: { status: 'Threads_connected', limit: 1 },
      },
    });
    const { report, log } = await runFlush(s);
    expect(report.status, log.lines.join('\n')).toBe('failed-restored');
    expect(report.stopReason).toMatch(/^critical load: Threads_connected is \d+, over 1$/);
    expect(report.tables.every((t) => t.status !== 'flushed')).toBe(true);
    await intact();
  }, 120_000);

  it('a critical-load status the server does not have is refused before anything changes', async () => {
    const r = await runCliProcess([
      'flush',
      '--mycnf',
      mycnfFor(sb.replica),
      '--db',
      S,
      '--critical-load',
      'No_such_status=5',
      '--hashfile',
      tempHashfile(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--critical-load: this server has no status No_such_status');
    await intact();
  }, 60_000);

  describe('in the action', () => {
    let standIn: StandIn;
    beforeAll(async () => {
      standIn = await startStandIn();
    });
    afterAll(async () => {
      await standIn?.close();
    });

    it('control-file: status is answered, abort ends the step with the reason and every table back', async () => {
      const job = newJob(standIn, 301);
      const ctl = `${job.dir}/control`;
      const step = runStep(job, 'main', {
        mode: 'flush',
        host: sb.replica.host,
        port: String(sb.replica.port),
        user: sb.replica.user,
        password: sb.replica.password,
        databases: S,
        'chunk-size': '200',
        'max-rows-per-second': '2000',
        'control-file': ctl,
        'artifact-name': 'journal-control',
      });
      await waitFor(() => existsSync(ctl), 60_000);
      appendFileSync(ctl, 'status\n');
      await answered(ctl, / status -> progress: /);
      expect(await command(ctl, 'abort')).toBe('aborting: no new chunk starts; every table goes back');
      const r = await step;
      expect(r.code, r.stdout + r.stderr).not.toBe(0);
      expect(r.stdout).toContain(
        'aborted by the control channel: the running copies were stopped and every table is back in place',
      );
      expect(r.stdout).toMatch(/control: abort -> aborting/);
      await intact();
    }, 180_000);
  });
});
