/**
 * Issue 17, finding 4: `recover` on the journal of a run that finished cleanly stopped the running
 * applier and left it stopped. It stops the applier only while a table of the journal is set aside,
 * starts it again once every table is back, and says what it did; a second recover changes nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_rec_applier';

describe('recover touches the applier only while a table is set aside', () => {
  let cnf: string;
  let before: unknown;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
        CREATE TABLE ${S}.t1 (id INT PRIMARY KEY); CREATE TABLE ${S}.t2 (id INT PRIMARY KEY);
        INSERT INTO ${S}.t1 VALUES (1), (2), (3); INSERT INTO ${S}.t2 VALUES (4), (5);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    cnf = mycnfFor(sb.replica);
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
  }, 120_000);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it('after a clean run: the running applier is left running, and recover says so, twice', async () => {
    const journal = tempHashfile();
    const run = await runCliProcess([
      'flush',
      '--mycnf',
      cnf,
      '--db',
      S,
      '--start-slave',
      '--hashfile',
      journal,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await replicaRunning(sb.replica)).toBe(true);
    for (const round of [1, 2]) {
      const rec = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(rec.stdout + rec.stderr, `recover ${round}`).not.toMatch(/applier stopped/);
      expect(rec.stdout + rec.stderr).toMatch(/left running: no table of the journal is set aside/);
      expect(rec.stdout).toMatch(/replica applier: not touched/);
      expect(await replicaRunning(sb.replica), `recover ${round}`).toBe(true);
    }
  }, 120_000);

  it('after a killed run with a table aside, the applier started again by hand: stopped for the put-back, then started again', async () => {
    const journal = tempHashfile();
    const killed = await runCliProcess(
      ['flush', '--mycnf', cnf, '--db', S, '--concurrency', '1', '--hashfile', journal],
      { env: { BINLOG_FLUSHER_FAULT: `after-twin-in@${S}.t2` } },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    await startReplica(sb.replica);
    const rec = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal]);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(rec.stdout + rec.stderr).toMatch(
      /replica applier stopped: 1 table\(s\) set aside, bf_rec_applier\.t2 first/,
    );
    expect(rec.stdout).toMatch(/replica applier: stopped by recover, started again/);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    const again = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/replica applier: not touched/);
    expect(await replicaRunning(sb.replica)).toBe(true);
  }, 120_000);
});
