/**
 * A twin the server refuses to build, for real: the table's DDL must not reach the binlog (a consumer
 * that applies DDL would empty its copy and no row would follow), the table stays as it was, nothing
 * of ours is left, and nothing blocks the next flush. And an empty shell the server will not turn
 * into BLACKHOLE, left by a crash, is no dead end: recover drops it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { readBinlog, binlogProblems } from '../support/binlog.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { q, rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush, tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_refused';
const mysql = sb.flavour === 'mysql';

/**
 * What makes BLACKHOLE refuse a table, for real: MySQL 9.7 refuses descending indexes ("The storage
 * engine for the table doesn't support descending indexes"); MariaDB refuses generated columns
 * (error 1910) the twin was not told to rewrite.
 */
const REFUSED_KIND = mysql ? 'ADD INDEX bf_refused (v DESC)' : 'ADD COLUMN bf_refused INT AS (v + 1) VIRTUAL';

const exists = (name: string) =>
  withSql(
    sb.replica,
    async (c) =>
      (
        await rows(c, 'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
          S,
          name,
        ])
      ).length > 0,
  );

describe('a twin the server refuses', () => {
  let before: SchemaSnapshot;
  const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
        CREATE TABLE ${S}.victim (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
        INSERT INTO ${S}.victim VALUES (1, 10), (2, 20), (3, 30);
        CREATE TABLE ${S}.bystander (id INT PRIMARY KEY) ENGINE=InnoDB;
        INSERT INTO ${S}.bystander VALUES (1), (2);
        CREATE TABLE ${S}.stranded (id INT PRIMARY KEY, v INT${mysql ? ', KEY v_desc (v DESC)' : ''}) ENGINE=InnoDB;
        INSERT INTO ${S}.stranded VALUES (1, 1), (2, 2);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('the DDL never reaches the binlog, the table is as it was, nothing is left, exit 4; the next flush succeeds', async () => {
    const select = {
      databases: [],
      tables: [`victim`, `bystander`].map((table) => ({ schema: S, table })),
      skip: [],
    };
    const s = flushSettings(sb.replica, { selection: select, concurrency: 1 });
    let refusedOn: string | undefined;
    const { report, log } = await runFlush(s, {
      fault: async (p, t) => {
        if (p !== 'after-shell' || t?.table !== 'victim' || refusedOn) return;
        // The table the flusher has just created to become the twin: under the twin's parking name
        // (or, as the flusher once did it, the shell under the real name while the table is aside).
        const twin = readJournal(s.hashfile!).tables.find((x) => x.table === 'victim')!.twin;
        refusedOn = (await exists(twin)) ? twin : 'victim';
        await withSql(sb.replica, (c) =>
          c.query(`SET sql_log_bin = 0; ALTER TABLE ${q(S)}.${q(refusedOn!)} ${REFUSED_KIND}`),
        );
      },
    });
    const text = log.lines.join('\n');
    expect(refusedOn, text).toBeDefined();
    expect(report.exitCode, text).toBe(4);
    const victim = report.tables.find((t) => t.table === 'victim')!;
    expect(victim.status).toBe('restored');
    expect(victim.error).toMatch(
      mysql ? /victim: twin failed: .*descending indexes/ : /victim: twin failed: .*generated columns/,
    );
    expect(report.tables.find((t) => t.table === 'bystander')!.status).toBe('flushed');

    // The binlog: the bystander's CREATE TABLE and rows, and nothing of the victim.
    const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
    expect(events.filter((e) => e.kind === 'query' && /victim/.test(e.sql))).toEqual([]);
    expect(binlogProblems(events, [{ name: `${q(S)}.${q('bystander')}`, rows: 2, distinct: true }])).toEqual(
      [],
    );

    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);

    // Nothing blocks the next flush, which flushes the table with its DDL first.
    const again = await runFlush(flushSettings(sb.replica, { selection: select }));
    expect(again.report.exitCode, again.log.lines.join('\n')).toBe(0);
    const events2 = await readBinlog(sb.replica, again.report.binlog!.start, again.report.binlog!.end!);
    expect(
      binlogProblems(events2, [
        { name: `${q(S)}.${q('victim')}`, rows: 3, distinct: true },
        { name: `${q(S)}.${q('bystander')}`, rows: 2, distinct: true },
      ]),
    ).toEqual([]);
    expect(await snap()).toEqual(before);
    await startReplica(sb.replica);
  });

  it(
    mysql
      ? 'an empty shell with a descending index (BLACKHOLE refuses it), left by a crash: recover drops it and exits 0; a later flush runs'
      : 'an empty shell with a foreign key (BLACKHOLE refuses it), left by a crash: recover drops it and exits 0; a later flush runs',
    async () => {
      const mycnf = mycnfFor(sb.replica);
      const hashfile = tempHashfile();
      const killed = await runCliProcess(
        ['flush', '--mycnf', mycnf, '--table', `${S}.stranded`, '--hashfile', hashfile],
        { env: { BINLOG_FLUSHER_FAULT: `after-shell@${S}.stranded` } },
      );
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const twin = readJournal(hashfile).tables[0]!.twin;
      // The empty shell the flusher had just created: under the twin's parking name (or, as the
      // flusher once did it, under the real name while the table is set aside).
      const shell = `${q(S)}.${q((await exists(twin)) ? twin : 'stranded')}`;
      if (!mysql) {
        // MariaDB's BLACKHOLE takes the definition; a foreign key makes the server refuse it too.
        await withSql(sb.replica, (c) =>
          c.query(
            `SET sql_log_bin = 0; ALTER TABLE ${shell} ADD CONSTRAINT bf_stranded_fk FOREIGN KEY (v) REFERENCES ${q(S)}.bystander (id)`,
          ),
        );
      }
      // The state is what the issue saw: an empty table of ours the server will not make BLACKHOLE.
      await expect(
        withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; ALTER TABLE ${shell} ENGINE=BLACKHOLE`)),
      ).rejects.toThrow(mysql ? /descending indexes/ : /foreign key/);
      expect(await withSql(sb.replica, leftovers)).not.toEqual([]);

      // Preflight refuses, and sends the user to recover, which can clear it.
      const refused = await runCliProcess([
        'flush',
        '--mycnf',
        mycnf,
        '--db',
        S,
        '--hashfile',
        tempHashfile(),
      ]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/tables of an earlier, unfinished run are on the server/);
      expect(refused.stderr).toMatch(/binlog-flusher recover --hashfile/);

      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile, '--json']);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      const t = (JSON.parse(rec.stdout) as { tables: { outcome: string; detail: string }[] }).tables[0]!;
      expect(await withSql(sb.replica, leftovers), t.detail).toEqual([]);
      expect(t.outcome).toBe('parked-twin-dropped');
      expect(t.detail).toContain(`dropped ${S}.${twin} (ours, empty)`);
      expect(await snap()).toEqual(before);

      // A later flush is not refused. (On MySQL 9.7 the table itself cannot get a BLACKHOLE twin while
      // the twin keeps descending indexes: it is put back, and nothing is left.)
      const later = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--hashfile', tempHashfile()]);
      expect(later.stderr).not.toMatch(/earlier, unfinished run/);
      if (later.code !== 0) {
        expect(mysql, later.stdout + later.stderr).toBe(true);
        expect(later.code, later.stdout + later.stderr).toBe(4);
        expect(later.stdout + later.stderr).toMatch(/stranded: twin failed: .*descending indexes/);
      }
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      expect(await snap()).toEqual(before);
      await startReplica(sb.replica);
    },
  );
});
