/**
 * Issue 25, findings 10 and 12: a dry run is the real preflight. It checks the run lock (and names
 * who holds it, in words that fit a run in progress), calls a live run's set-aside tables that run's
 * and never "an earlier, unfinished run" to recover, does not list that run's own sessions as writers,
 * does not refuse a journal path it will not write, and with --json prints one JSON object on every
 * exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { rows, startReplica, waitCaughtUp, waitStatementsDone, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { mycnfFor, runCliProcess, type CliRun } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { procState, waitFor } from '../support/process.js';
import { readJournal } from '../../src/journal/journal.js';

const sb = inject('sandbox')!;
const S = 'bf_dry';

describe('a dry run is the real preflight', () => {
  let before: SchemaSnapshot;
  let mycnf: string;
  const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));
  /** A dry run that does not wait for the run lock. */
  const dryRun = () => runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--dry-run', '--lock-wait', '0']);
  const live: { pid: number; done: Promise<CliRun> }[] = [];

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const maria = sb.flavour !== 'mysql';
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000;'}
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
        CREATE TABLE ${S}.big (id INT PRIMARY KEY, pad CHAR(20)) ENGINE=InnoDB;
        INSERT INTO ${S}.big SELECT seq, 'x' FROM (${seqSql(maria, 5000)}) s;
        CREATE TABLE ${S}.small (id INT PRIMARY KEY) ENGINE=InnoDB;
        INSERT INTO ${S}.small VALUES (1), (2);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
    mycnf = mycnfFor(sb.replica);
  });
  afterEach(async () => {
    for (const f of live.splice(0)) {
      if (procState(f.pid) !== '') process.kill(f.pid, 'SIGCONT');
      await f.done;
    }
  });
  afterAll(async () => {
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('during a live flush: refused naming the run that holds the lock; its tables are its own, its sessions no writers', async () => {
    const hashfile = tempHashfile();
    let pid = 0;
    const done = runCliProcess(
      [
        'flush',
        '--mycnf',
        mycnf,
        '--db',
        S,
        '--chunk-size',
        '500',
        '--concurrency',
        '2',
        '--hashfile',
        hashfile,
      ],
      { env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big:SIGSTOP` }, onSpawn: (p) => (pid = p) },
    );
    const frozen = await waitFor(() => pid !== 0 && procState(pid) === 'T', 60_000);
    if (pid !== 0) live.push({ pid, done });
    expect(frozen, 'the flush stops itself mid-copy').toBe(true);
    await waitStatementsDone(sb.replica);
    const aside = await withSql(sb.replica, leftovers);
    expect(aside.length).toBeGreaterThan(0);
    const liveIds = (
      await withSql(sb.replica, (c) =>
        rows<{ id: number }>(c, "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = 'sandbox'"),
      )
    ).map((r) => r.id);

    const dry = await dryRun();
    const out = dry.stdout + dry.stderr;
    expect(dry.code, out).toBe(3);
    expect(out).toMatch(
      /\[run-lock\] another binlog-flusher run holds the lock binlog-flusher on this server: connection \d+ \(sandbox@[^)]*\), (between statements|running a statement) for \d+ s/,
    );
    expect(out).not.toMatch(/\bidle\b/);
    expect(out).toMatch(
      /\[leftovers\] the run that holds the run lock has tables set aside right now: bf_dry\._bf_/,
    );
    expect(out).toMatch(/let that run finish \(it puts them back itself\)/);
    expect(out).not.toMatch(/earlier, unfinished run/);
    // The live run's sessions write only into its own tables: they are not listed as writers.
    const writers = /may write despite read_only[^\n]*/.exec(out)?.[0] ?? '';
    for (const id of liveIds) expect(writers).not.toMatch(new RegExp(`connection ${id}\\b`));
    expect(await withSql(sb.replica, leftovers)).toEqual(aside);

    process.kill(pid, 'SIGCONT');
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readJournal(hashfile).end).toBe('flushed');
    // The lock was the live run's alone: now a dry run takes it at once, and gives it back.
    const after = await dryRun();
    expect(after.code, after.stdout + after.stderr).toBe(0);
    const again = await dryRun();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await snap()).toEqual(before);
  });

  it('does not refuse a journal path that exists (it writes none), and leaves the file as it was', async () => {
    const path = tempHashfile();
    writeFileSync(path, 'not ours\n');
    const r = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--dry-run', '--hashfile', path]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/already exists: .*; the real run would be refused/);
    expect(readFileSync(path, 'utf8')).toBe('not ours\n');
    // The real run still refuses it.
    const real = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--hashfile', path]);
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/--hashfile: .*exists/);
  });

  it.each([
    ['bad input (exit 2)', ['--chunk-size', 'lots'], 2, 'input'],
    ['a refused preflight (exit 3)', ['--table', `${S}.no_such`], 3, 'preflight'],
    ['an unknown flag (exit 2)', ['--no-such-flag'], 2, 'input'],
  ])('--json prints one JSON error object on stdout: %s', async (_what, extra, code, kind) => {
    const r = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--dry-run', '--json', ...extra]);
    expect(r.code, r.stderr).toBe(code);
    const o = JSON.parse(r.stdout) as {
      status: string;
      exitCode: number;
      kind: string;
      failures?: unknown[];
    };
    expect(o).toMatchObject({ status: 'error', exitCode: code, kind });
    if (kind === 'preflight') expect(o.failures).toEqual([expect.objectContaining({ check: 'selection' })]);
  });
});
