import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { startReplica, waitCaughtUp, waitStatementsDone, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { mycnfFor, recoverWith, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { readJournal } from '../../src/journal/journal.js';

const sb = inject('sandbox')!;
const SCHEMA = 'bf_kill';

function fixture(maria: boolean): string {
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
DROP DATABASE IF EXISTS ${SCHEMA};
CREATE DATABASE ${SCHEMA};
USE ${SCHEMA};
CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(60)) ENGINE=InnoDB;
INSERT INTO big SELECT seq, REPEAT('x', 60) FROM (${seqSql(maria, 60000)}) s;
CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO parent SELECT seq FROM (${seqSql(maria, 100)}) s;
CREATE TABLE child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id)) ENGINE=InnoDB;
INSERT INTO child SELECT seq, seq FROM (${seqSql(maria, 100)}) s;
CREATE TABLE gen (id INT PRIMARY KEY, a INT, b INT AS (a + 1) STORED) ENGINE=InnoDB;
INSERT INTO gen (id, a) SELECT seq, seq FROM (${seqSql(maria, 100)}) s;
CREATE TABLE parted (id INT PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 4;
INSERT INTO parted SELECT seq FROM (${seqSql(maria, 100)}) s;
`;
}

describe('SIGKILL in the middle of a copy, then recover', () => {
  let before: SchemaSnapshot;
  let mycnf: string;

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(fixture(sb.flavour === 'mariadb')));
    await waitCaughtUp(sb.primary, sb.replica);
    before = await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA));
    mycnf = mycnfFor(sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('leaves a journal that recover replays until every table is identical; a second recover does nothing', async () => {
    const hashfile = tempHashfile();
    const killed = await runCliProcess(
      [
        'flush',
        '--mycnf',
        mycnf,
        '--db',
        SCHEMA,
        '--chunk-size',
        '500',
        '--concurrency',
        '4',
        '--hashfile',
        hashfile,
      ],
      { env: { BINLOG_FLUSHER_FAULT: `mid-copy@${SCHEMA}.big` } },
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(hashfile)).toBe(true);
    const j = readJournal(hashfile);
    expect(j.tables.length).toBe(5);
    expect(j.steps.get(j.tables.find((t) => t.table === 'big')!.id)).toBe('copy');
    // The process died with tables set aside. Its last statements may still run on the server (a
    // CREATE or RENAME the client sent before it died): the state is only stable once they end.
    await waitStatementsDone(sb.replica);
    const left = await withSql(sb.replica, leftovers);
    expect(left.length).toBeGreaterThan(0);

    // A new flush refuses to start while leftovers exist, and changes nothing.
    const refused = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--db',
      SCHEMA,
      '--hashfile',
      tempHashfile(),
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/leftovers.*\n.*fix: run `binlog-flusher recover/);
    expect(await withSql(sb.replica, leftovers)).toEqual(left);

    const recover = recoverWith(mycnf);
    const rec = await recover(hashfile);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/Recovery: recovered \(5 of 5 tables in place\)/);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);

    const again = await recover(hashfile, '--json');
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout) as { tables: { outcome: string }[] };
    expect(r.tables.map((t) => t.outcome)).toEqual(Array(5).fill('already-restored'));
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA))).toEqual(before);

    // And a new flush succeeds.
    const ok = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--db',
      SCHEMA,
      '--hashfile',
      tempHashfile(),
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).status).toBe('flushed');
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA))).toEqual(before);
    for (const out of [killed, refused, rec, again, ok]) {
      expect(out.stdout + out.stderr).not.toContain(sb.replica.password);
    }
  });
});
