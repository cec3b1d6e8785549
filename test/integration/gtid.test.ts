/**
 * The flush's GTIDs and the rest of the topology (MariaDB, where a separate domain can be tested
 * here): a second replica re-pointed at the flushed replica with the statements the run printed must
 * not apply the flushed rows, and must go on replicating the source. Without them it would.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startExtraServer } from '../sandbox/local.js';
import type { ServerInfo } from '../sandbox/types.js';
import { rows, settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { connect } from '../../src/db/connection.js';
import { ourEvents } from '../../src/inspect/our-events.js';
import { gtidsOfTables } from '../../src/inspect/binlog.js';
import { flushSettings, runFlush } from '../support/flusher.js';
import { transactionsBetween } from '../support/binlog.js';
import { gtidSetOf } from '../../src/flavours/index.js';
import { readJournal } from '../../src/journal/journal.js';
import { buildManifest } from '../../src/journal/manifest.js';

const sb = inject('sandbox')!;
const S = 'bf_gtid';
const DOMAIN = 77;

type Status = { Slave_SQL_Running: string; Last_SQL_Errno: number; Last_SQL_Error: string };
const status = (s: ServerInfo) => withSql(s, async (c) => (await rows<Status>(c, 'SHOW SLAVE STATUS'))[0]!);
const ids = (s: ServerInfo) =>
  withSql(s, async (c) =>
    (await rows<{ id: number }>(c, `SELECT id FROM ${S}.t ORDER BY id`)).map((r) => Number(r.id)),
  );
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Point `replica` at `source` by GTID, with what the flush printed for such a replica (or nothing). */
async function pointAt(replica: ServerInfo, source: ServerInfo, extra: string): Promise<void> {
  await withSql(replica, (c) =>
    c.query(`STOP SLAVE; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port},
      MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos${extra}; START SLAVE`),
  );
}

async function waitApplied(replica: ServerInfo, source: ServerInfo): Promise<void> {
  const pos = await withSql(
    source,
    async (c) => (await rows<{ g: string }>(c, 'SELECT @@gtid_binlog_pos AS g'))[0]!.g,
  );
  // Only the source's own domain: the second replica must not have domain 77 at all.
  const own = pos
    .split(',')
    .filter((g) => !g.startsWith(`${DOMAIN}-`))
    .join(',');
  await withSql(replica, (c) => c.query('SELECT MASTER_GTID_WAIT(?, 30)', [own]));
}

describe.skipIf(sb.flavour !== 'mariadb' || sb.kind !== 'local')(
  'GTIDs: a replica re-pointed at the flushed replica (MariaDB, --gtid-domain-id)',
  () => {
    let second: { info: ServerInfo; stop: () => Promise<void> } | undefined;

    beforeAll(async () => {
      await startReplica(sb.replica).catch(() => undefined);
      second = await startExtraServer('replica2', 3);
      // The second replica starts where the primary is now; what follows reaches both replicas.
      // Domains earlier runs of other tests wrote on the flushed replica count as dealt with.
      const [pos, earlier] = await Promise.all(
        [sb.primary, sb.replica].map((srv) =>
          withSql(srv, async (c) => (await rows<{ g: string }>(c, 'SELECT @@gtid_binlog_pos AS g'))[0]!.g),
        ),
      );
      const sourceDomains = new Set(pos!.split(',').map((g) => g.split('-')[0]));
      const start = [pos!, ...earlier!.split(',').filter((g) => g && !sourceDomains.has(g.split('-')[0]))]
        .filter(Boolean)
        .join(',');
      await withSql(second.info, (c) => c.query('SET GLOBAL gtid_slave_pos = ?', [start]));
      await pointAt(second.info, sb.primary, '');
      await withSql(sb.primary, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
          CREATE TABLE ${S}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
        await c.query(
          `INSERT INTO ${S}.t VALUES ${Array.from({ length: 40 }, (_, i) => `(${i + 1}, 'v${i + 1}')`).join(',')}`,
        );
      });
      await waitCaughtUp(sb.primary, sb.replica);
      await waitCaughtUp(sb.primary, second.info);
    }, 120_000);

    afterAll(async () => {
      await second?.stop();
      await startReplica(sb.replica).catch(() => undefined);
    });

    it('the flush writes only in its own domain; the printed statements keep the re-pointed replica from applying it', async () => {
      const s = flushSettings(sb.replica, {
        selection: { databases: [S], tables: [], skip: [] },
        chunkSize: 10,
        gtid: { domainId: DOMAIN },
        replication: { stopReplica: true, startReplica: true },
      });
      const { report, log } = await runFlush(s);
      expect(report.status, log.lines.join('\n')).toBe('flushed');
      // DDL + 4 chunks, every one in domain 77 under the replica's server_id; the source's domain untouched.
      expect(report.gtid!.written).toBe(`${DOMAIN}-2-1..${DOMAIN}-2-5`);
      expect(report.binlog!.start.gtid.split(',').filter((g) => g.startsWith('0-'))).toEqual(
        report.binlog!.end!.gtid.split(',').filter((g) => g.startsWith('0-')),
      );
      const repoint = report.gtid!.steps[0]!.sql;
      expect(repoint).toBe(
        `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_DOMAIN_IDS = (${DOMAIN}); START SLAVE;`,
      );

      // A row only the second replica has: it tells whether its table is ever replaced.
      await withSql(second!.info, (c) =>
        c.query(`STOP SLAVE; SET sql_log_bin = 0; INSERT INTO ${S}.t VALUES (1000, 'only here')`),
      );

      // Re-pointed with the printed IGNORE_DOMAIN_IDS: the flush is skipped, the source flows on.
      const ignore = /IGNORE_DOMAIN_IDS = \(\d+\)/.exec(repoint)![0];
      await pointAt(second!.info, sb.replica, `, ${ignore}`);
      await withSql(sb.primary, (c) =>
        c.query(
          `INSERT INTO ${S}.t VALUES (41, 'after'); INSERT INTO ${S}.t VALUES (42, 'through the replica')`,
        ),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      await waitApplied(second!.info, sb.replica);
      let st = await status(second!.info);
      expect([st.Slave_SQL_Running, st.Last_SQL_Errno, st.Last_SQL_Error]).toEqual(['Yes', 0, '']);
      expect(await ids(second!.info)).toEqual([...range(1, 42), 1000]);

      // Control: the same replica, from the same position but without the statement, applies the
      // flush's transactions. MariaDB runs a replicated CREATE TABLE as CREATE OR REPLACE
      // (slave_ddl_exec_mode=IDEMPOTENT), so its table is replaced by the flushed copy: the rows it
      // had beyond the copy are gone.
      const before = await withSql(
        second!.info,
        async (c) => (await rows<{ g: string }>(c, 'SELECT @@gtid_slave_pos AS g'))[0]!.g,
      );
      const withoutFlush = before
        .split(',')
        .filter((g) => !g.startsWith(`${DOMAIN}-`))
        .join(',');
      await withSql(second!.info, (c) =>
        c.query('STOP SLAVE; SET GLOBAL gtid_slave_pos = ?', [withoutFlush]),
      );
      await pointAt(second!.info, sb.replica, ', IGNORE_DOMAIN_IDS = ()');
      await withSql(second!.info, (c) => c.query('SELECT MASTER_GTID_WAIT(?, 30)', [`${DOMAIN}-2-5`]));
      st = await status(second!.info);
      const after = await ids(second!.info);
      expect(after, `applier: ${st.Slave_SQL_Running} ${st.Last_SQL_Errno} ${st.Last_SQL_Error}`).toEqual(
        range(1, 40),
      );
      await withSql(second!.info, (c) => c.query('STOP SLAVE'));
    });
  },
);

describe.skipIf(sb.flavour !== 'mysql')('GTID tags (MySQL 8.3+; this describe runs on MySQL only)', () => {
  const T = 'bf_gtid_tag';
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${T}; CREATE DATABASE ${T};
        CREATE TABLE ${T}.t (id INT PRIMARY KEY, v INT);
        INSERT INTO ${T}.t VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7)`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('--gtid-tag: the flush transactions are uuid:tag:n on the replica, and the printed gtid_purged statement names that set', async () => {
    const { report, log } = await runFlush(
      flushSettings(sb.replica, {
        selection: { databases: [T], tables: [], skip: [] },
        chunkSize: 3,
        gtid: { tag: 'bfx' },
      }),
    );
    expect(report.status, log.lines.join('\n')).toBe('flushed');
    const written = report.gtid!.written;
    // One CREATE TABLE and three chunks of at most 3 rows: 4 transactions, all tagged.
    expect(written).toMatch(/^[0-9a-f-]{36}:bfx:\d+-\d+$/);
    const [a, b] = written.split(':')[2]!.split('-').map(Number);
    expect(b! - a! + 1).toBe(4);
    const executed = await withSql(sb.replica, async (c) =>
      String((await rows<{ g: string }>(c, 'SELECT @@GLOBAL.gtid_executed AS g'))[0]!.g).replaceAll('\n', ''),
    );
    expect(executed).toContain(`:bfx:${a}-${b}`);
    expect(report.gtid!.steps.map((s) => s.sql).join('\n')).toContain(
      `SET GLOBAL gtid_purged = '+${written}'`,
    );
  });
});

/**
 * Issue 17: "GTIDs written by the flush" was a difference of two positions. On MariaDB, where the
 * replica's own sequence numbers share a domain with the source's, it printed 0-2-10..0-2-80 for a run
 * that wrote 0-2-79 and 0-2-80; on every flavour it took in any other session's write during the run.
 * The set must be exactly the GTIDs of the run's transactions, as the binlog holds them.
 */
describe("GTIDs written are exactly the run's own", () => {
  const T = 'bf_gtid_exact';
  const OTHER = 'bf_gtid_other';

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    // The replica's own transactions first: on MariaDB they take its domain's sequence numbers past
    // the source's, so the source's next transactions come in below them.
    await withSql(sb.replica, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${OTHER}; CREATE DATABASE ${OTHER};
        CREATE TABLE ${OTHER}.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT)`);
      for (let i = 0; i < 30; i++) await c.query(`INSERT INTO ${OTHER}.w (v) VALUES (${i})`);
    });
    await withSql(sb.primary, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${T}; CREATE DATABASE ${T};
        CREATE TABLE ${T}.a (id INT PRIMARY KEY, v VARCHAR(20)); CREATE TABLE ${T}.b (id INT PRIMARY KEY)`);
      await c.query(
        `INSERT INTO ${T}.a VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, 'v${i}')`).join(',')}`,
      );
      await c.query(
        `INSERT INTO ${T}.b VALUES ${Array.from({ length: 20 }, (_, i) => `(${i + 1})`).join(',')}`,
      );
    });
    await waitCaughtUp(sb.primary, sb.replica);
  }, 120_000);

  afterAll(async () => {
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP DATABASE IF EXISTS ${OTHER}`));
    await startReplica(sb.replica).catch(() => undefined);
  });

  it("another session writes on the replica in the middle of the run: its GTID is not the run's", async () => {
    let wrote = false;
    const s = flushSettings(sb.replica, {
      selection: { databases: [T], tables: [], skip: [] },
      chunkSize: 10,
      concurrency: 1,
      replication: { stopReplica: true, startReplica: true },
    });
    const { report, log } = await runFlush(s, {
      // After the first chunk of the first table: a write of another session, in the replica's own
      // GTID history, between the run's transactions (it may write despite read_only).
      fault: async (point) => {
        if (point !== 'mid-copy' || wrote) return;
        wrote = true;
        await withSql(sb.replica, (c) => c.query(`INSERT INTO ${OTHER}.w (v) VALUES (-1)`));
      },
    });
    expect(report.status, log.lines.join('\n')).toBe('flushed');
    expect(wrote).toBe(true);
    const txs = await transactionsBetween(sb.replica, report.binlog!.start, report.binlog!.end!);
    const theirs = txs.filter((t) => t.tables.some((n) => n.startsWith(`${OTHER}.`)));
    const ours = txs.filter((t) => !theirs.includes(t));
    expect(theirs).toHaveLength(1);
    // Every other one is the run's: a flushed table's CREATE TABLE or rows.
    const of = (table: string) =>
      ours.filter(
        (t) =>
          t.tables.includes(`${T}.${table}`) || t.queries.some((q) => q.includes(`\`${T}\`.\`${table}\``)),
      );
    expect(of('a').length + of('b').length).toBe(ours.length);
    expect(of('a').length).toBeGreaterThanOrEqual(6);
    const flavour = sb.flavour === 'mariadb' ? 'mariadb' : 'mysql';
    const exact = gtidSetOf(
      flavour,
      ours.map((t) => t.gtid),
    );
    expect(report.gtid!.written).toBe(exact);
    // The other session's write lies among the run's: a set from positions would take it in.
    expect(
      gtidSetOf(
        flavour,
        txs.map((t) => t.gtid),
      ),
    ).not.toBe(exact);
    // What the run reads from the binlog when a session could not say (a reply lost after the
    // commit) is the same set: the run's tables' transactions only.
    const db = await connect(settingsFor(sb.replica));
    try {
      const read = await gtidsOfTables(
        db,
        report.binlog!.start,
        [`a`, `b`].map((table) => ({ schema: T, table })),
        ourEvents(report.serverId),
      );
      expect(gtidSetOf(flavour, read)).toBe(exact);
    } finally {
      await db.close();
    }
    // The statements a DBA runs use that set (MySQL: gtid_purged '+set').
    if (flavour === 'mysql') expect(report.gtid!.steps[0]!.sql).toBe(`SET GLOBAL gtid_purged = '+${exact}';`);
    // The journal records it: per chunk (and so per table in the manifest), and for the run.
    const m = buildManifest(readJournal(s.hashfile!));
    expect(m.gtids).toBe(exact);
    for (const t of m.tables)
      expect(t.gtids, t.table).toBe(
        gtidSetOf(
          flavour,
          of(t.table).map((x) => x.gtid),
        ),
      );
  });
});
