/**
 * Foreign-key families: MySQL takes metadata locks on a table's FK parents and children when it is
 * renamed, so concurrent renames of one family by different workers can deadlock (ER_LOCK_DEADLOCK,
 * seen on MySQL 9.7 in about one clean run in four). Every clean flush of an FK-rich schema must
 * exit 0, whatever the number of workers.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { sql, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { flushSettings, runFlush } from '../support/flusher.js';
import { waitFor } from '../support/process.js';
import { memoryLogger } from '../../src/model/log.js';

const sb = inject('sandbox')!;
const S = 'bf_families';
const RUNS = 12;

function fixture(maria: boolean): string {
  const seq = (n: number) => seqSql(maria, n);
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000;'}
DROP DATABASE IF EXISTS ${S};
CREATE DATABASE ${S};
USE ${S};
CREATE TABLE parent (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO parent SELECT seq, CONCAT('p', seq) FROM (${seq(500)}) s;
CREATE TABLE child (id INT PRIMARY KEY, p INT NOT NULL, CONSTRAINT child_p FOREIGN KEY (p) REFERENCES parent (id)) ENGINE=InnoDB;
INSERT INTO child SELECT seq, seq FROM (${seq(500)}) s;
CREATE TABLE child2 (id INT PRIMARY KEY, p INT, CONSTRAINT child2_p FOREIGN KEY (p) REFERENCES parent (id) ON DELETE SET NULL) ENGINE=InnoDB;
INSERT INTO child2 SELECT seq, seq FROM (${seq(500)}) s;
CREATE TABLE grandchild (id INT PRIMARY KEY, c INT NOT NULL, CONSTRAINT grandchild_c FOREIGN KEY (c) REFERENCES child (id) ON DELETE CASCADE) ENGINE=InnoDB;
INSERT INTO grandchild SELECT seq, seq FROM (${seq(500)}) s;
CREATE TABLE owner (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO owner SELECT seq FROM (${seq(300)}) s;
CREATE TABLE vet (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO vet SELECT seq FROM (${seq(50)}) s;
CREATE TABLE pet (id INT PRIMARY KEY, o INT NOT NULL, CONSTRAINT pet_o FOREIGN KEY (o) REFERENCES owner (id)) ENGINE=InnoDB;
INSERT INTO pet SELECT seq, seq FROM (${seq(300)}) s;
CREATE TABLE visit (id INT PRIMARY KEY, pet INT NOT NULL, vet INT NOT NULL,
  CONSTRAINT visit_pet FOREIGN KEY (pet) REFERENCES pet (id), CONSTRAINT visit_vet FOREIGN KEY (vet) REFERENCES vet (id)) ENGINE=InnoDB;
INSERT INTO visit SELECT seq, seq, 1 + seq % 50 FROM (${seq(300)}) s;
CREATE TABLE alone (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO alone SELECT seq FROM (${seq(100)}) s;
`;
}

describe('foreign-key families', () => {
  let before: SchemaSnapshot;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(fixture(sb.flavour === 'mariadb')));
    await waitCaughtUp(sb.primary, sb.replica);
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it(`a clean flush of two FK families exits 0 every time: ${RUNS} runs with 1 to 4 workers`, async () => {
    const outcomes: string[] = [];
    let retries = 0;
    for (let i = 0; i < RUNS; i++) {
      const concurrency = 1 + (i % 4);
      const { report, log } = await runFlush(
        flushSettings(sb.replica, {
          selection: { databases: [S], tables: [], skip: [] },
          concurrency,
          chunkSize: 100,
        }),
      );
      retries += log.lines.filter((l) => /retrying/.test(l) && /Deadlock|Lock wait/.test(l)).length;
      const failed = report.tables.filter((t) => t.status !== 'flushed');
      outcomes.push(
        `run ${i + 1} (${concurrency} workers): exit ${report.exitCode}` +
          (failed.length
            ? `: ${failed.map((t) => `${t.table} ${t.status} (${t.error ?? ''})`).join('; ')}`
            : ''),
      );
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    }
    console.log(`${outcomes.join('\n')}\nrenames retried after a deadlock or lock wait: ${retries}`);
    expect(outcomes.filter((o) => !/exit 0$/.test(o))).toEqual([]);
  });

  it('a set-aside that waits out lock_wait_timeout (another session reads the table in an open transaction) is retried, logged, and the run exits 0', async () => {
    const holder = await sql(sb.replica);
    try {
      // Holds a shared metadata lock on the table until it commits: the RENAME waits for it.
      await holder.query(`START TRANSACTION; SELECT COUNT(*) FROM ${S}.alone`);
      const log = memoryLogger();
      // --timeout 4: lock_wait_timeout 2 s.
      const run = runFlush(
        flushSettings(sb.replica, {
          selection: { databases: [], tables: [{ schema: S, table: 'alone' }], skip: [] },
          timeout: 4,
        }),
        { log },
      );
      const retried = () =>
        log.lines.some((l) => /alone: set aside: Lock wait timeout.*retrying in \d+ ms/.test(l));
      await waitFor(retried, 10_000);
      await holder.query('COMMIT');
      const { report } = await run;
      expect(retried(), log.lines.join('\n')).toBe(true);
      expect(report.exitCode, log.lines.join('\n')).toBe(0);
    } finally {
      await holder.end();
    }
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  });
});
