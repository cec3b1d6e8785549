/**
 * Issue 25, finding 4: a table no twin can log (a MariaDB long UNIQUE key, a MySQL generated invisible
 * primary key) is refused up front, and the fix it names exists: the very `--skip schema.table` it
 * prints lets the run flush every other table, and leaves that one as it was, out of the binlog.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readBinlog, binlogProblems } from '../support/binlog.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { q, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_skip_table';
const mysql = sb.flavour === 'mysql';

/** A table the flavour's preflight refuses, and the words of that refusal. */
const REFUSED = mysql
  ? {
      ddl: `SET SESSION sql_generate_invisible_primary_key = ON;
            CREATE TABLE ${S}.refused (v VARCHAR(20), n INT) ENGINE=InnoDB;
            SET SESSION sql_generate_invisible_primary_key = OFF;`,
      why: /generated invisible primary key/,
    }
  : {
      ddl: `CREATE TABLE ${S}.refused (v TEXT NOT NULL, n INT, UNIQUE KEY (v)) ENGINE=InnoDB;`,
      why: /long UNIQUE key/,
    };

describe('--skip schema.table: the fix a refused table names', () => {
  let before: SchemaSnapshot;
  let mycnf: string;
  const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
        ${REFUSED.ddl}
        INSERT INTO ${S}.refused (v, n) VALUES ('a', 1), ('b', 2), ('c', 3);
        CREATE TABLE ${S}.kept (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
        INSERT INTO ${S}.kept VALUES (1, 10), (2, 20);
        CREATE TABLE ${S}.also (id INT PRIMARY KEY) ENGINE=InnoDB;
        INSERT INTO ${S}.also VALUES (1), (2), (3);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
    mycnf = mycnfFor(sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('the refusal names `--skip <schema.table>`; running with it flushes the rest and leaves that table out', async () => {
    const refused = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--hashfile', tempHashfile()]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(REFUSED.why);
    const fix = /e\.g\. (--skip \S+)\)/.exec(refused.stderr);
    expect(fix?.[1], refused.stderr).toBe(`--skip ${S}.refused`);
    expect(await snap()).toEqual(before);

    const hashfile = tempHashfile();
    const run = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--db',
      S,
      ...fix![1]!.split(' '),
      '--hashfile',
      hashfile,
      '--start-slave',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      tables: { table: string; status: string }[];
      skipped: { table: string; reason: string }[];
      binlog: { start: never; end: never };
    };
    expect(report.tables.map((t) => [t.table, t.status]).sort()).toEqual([
      ['also', 'flushed'],
      ['kept', 'flushed'],
    ]);
    expect(report.skipped).toContainEqual(
      expect.objectContaining({ table: 'refused', reason: 'left out by --skip' }),
    );
    const events = await readBinlog(sb.replica, report.binlog.start, report.binlog.end);
    expect(
      binlogProblems(events, [
        { name: `${q(S)}.${q('kept')}`, rows: 2, distinct: true },
        { name: `${q(S)}.${q('also')}`, rows: 3, distinct: true },
      ]),
    ).toEqual([]);
    expect(events.filter((e) => (e.kind === 'query' ? e.sql : (e.table ?? '')).includes('refused'))).toEqual(
      [],
    );
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  });

  it('a --skip table that does not exist is refused before any change, naming it', async () => {
    const r = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--db',
      S,
      '--skip',
      `${S}.refused,${S}.no_such`,
      '--hashfile',
      tempHashfile(),
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/table "bf_skip_table\.no_such" \(from --skip\) does not exist/);
    expect(await snap()).toEqual(before);
  });
});
