/**
 * Issue 17, finding 4: `recover` on the journal of a run that finished cleanly stopped the running
 * applier and left it stopped. It stops the applier only while a table of the journal is set aside,
 * starts it again once every table is back, and says what it did; a second recover changes nothing.
 *
 * Issue 25, finding 6: recover that could not read the replica status (a missing privilege, a
 * transient error) took the server for "not a replica" and put the tables back under the running
 * applier. It refuses (exit 5), naming what it could not read and the grant, and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_rec_applier';
const BLIND = 'bf_rec_blind';
const PW = 'Rb-pw-5d71e2';

/** What the recover user needs, less what reads the replica status (per flavour). */
const WITHOUT_REPLICA_STATUS = {
  mariadb: ['BINLOG ADMIN', 'BINLOG MONITOR', 'REPLICATION SLAVE ADMIN', 'READ_ONLY ADMIN'],
  mysql: ['REPLICATION SLAVE', 'REPLICATION_SLAVE_ADMIN', 'SYSTEM_VARIABLES_ADMIN', 'CONNECTION_ADMIN'],
};
const REPLICA_STATUS_GRANT = { mariadb: 'SLAVE MONITOR', mysql: 'REPLICATION CLIENT' };

/** The schema's objects (name, type, engine): which names a twin or a backup holds. */
async function objects(): Promise<string[]> {
  return (await withSql(sb.replica, (c) => snapshotSchema(c, S))).objects;
}

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

  it('recover of part of a journal (--skip schema.table) while another of its tables is aside: the applier is not started, read_only not put back', async () => {
    const journal = tempHashfile();
    const killed = await runCliProcess(
      ['flush', '--mycnf', cnf, '--db', S, '--concurrency', '1', '--hashfile', journal],
      { env: { BINLOG_FLUSHER_FAULT: `after-twin-in@${S}.t2` } },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(await objects()).toContain('t2 BASE TABLE BLACKHOLE');
    expect(await replicaRunning(sb.replica)).toBe(false);
    const readOnly = async () =>
      withSql(sb.replica, async (c) =>
        Number(((await c.query('SELECT @@read_only AS r'))[0] as { r: number }[])[0]!.r),
      );
    expect(await readOnly()).toBe(1);
    const part = await runCliProcess([
      'recover',
      '--mycnf',
      cnf,
      '--hashfile',
      journal,
      '--skip',
      `${S}.t2`,
      '--start-slave',
    ]);
    expect(part.code, part.stdout + part.stderr).toBe(5);
    expect(part.stdout + part.stderr).toMatch(
      /1 table\(s\) of the journal outside this selection are still set aside: bf_rec_applier\.t2; the applier and the run's server settings stay as they are/,
    );
    // The twin still holds t2's name: the applier must not run, read_only stays ON.
    expect(await objects()).toContain('t2 BASE TABLE BLACKHOLE');
    expect(await replicaRunning(sb.replica)).toBe(false);
    expect(await readOnly()).toBe(1);
    const all = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal, '--start-slave']);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  }, 120_000);

  it('recover that cannot read the replica status refuses, names the grant, and changes nothing', async () => {
    await withSql(sb.replica, async (c) => {
      await c.query(
        `SET sql_log_bin = 0; DROP USER IF EXISTS '${BLIND}'@'127.0.0.1'; CREATE USER '${BLIND}'@'127.0.0.1' IDENTIFIED BY '${PW}'`,
      );
      await c.query(
        `SET sql_log_bin = 0; GRANT SELECT, INSERT, CREATE, DROP, ALTER ON \`${S}\`.* TO '${BLIND}'@'127.0.0.1'`,
      );
      await c.query(
        `SET sql_log_bin = 0; GRANT ${WITHOUT_REPLICA_STATUS[sb.flavour].join(', ')} ON *.* TO '${BLIND}'@'127.0.0.1'`,
      );
    });
    const journal = tempHashfile();
    const killed = await runCliProcess(
      ['flush', '--mycnf', cnf, '--db', S, '--concurrency', '1', '--hashfile', journal],
      { env: { BINLOG_FLUSHER_FAULT: `after-twin-in@${S}.t2` } },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // A twin holds t2's name, and someone started the applier again.
    await startReplica(sb.replica);
    const aside = await objects();
    expect(aside).toContain('t2 BASE TABLE BLACKHOLE');
    const blind = await runCliProcess(
      [
        'recover',
        '--host',
        '127.0.0.1',
        '--port',
        String(sb.replica.port),
        '--user',
        BLIND,
        '--hashfile',
        journal,
      ],
      { env: { MYSQL_PWD: PW } },
    );
    expect(blind.code, blind.stdout + blind.stderr).toBe(5);
    expect(blind.stderr).toContain('cannot read the replica status');
    expect(blind.stderr).toContain(`grant the recover user ${REPLICA_STATUS_GRANT[sb.flavour]}`);
    expect(blind.stderr).toContain('recover changed nothing');
    expect(await objects()).toEqual(aside);
    expect(await replicaRunning(sb.replica)).toBe(true);
    // A transient failure of the same read: the same refusal.
    const transient = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal], {
      env: { BINLOG_FLUSHER_FAULT: 'replica-status:error' },
    });
    expect(transient.code, transient.stdout + transient.stderr).toBe(5);
    expect(transient.stderr).toMatch(/cannot read the replica status: injected fault at replica-status/);
    expect(await objects()).toEqual(aside);
    expect(await replicaRunning(sb.replica)).toBe(true);
    // With the status readable, recover stops the applier for the put-back and starts it again.
    const rec = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal]);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/replica applier: stopped by recover, started again/);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    await withSql(sb.replica, (c) =>
      c.query(`SET sql_log_bin = 0; DROP USER IF EXISTS '${BLIND}'@'127.0.0.1'`),
    );
  }, 120_000);
});
