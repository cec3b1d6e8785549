/**
 * The flush's GTIDs and the rest of the topology (MariaDB, where a separate domain can be tested
 * here): a second replica re-pointed at the flushed replica with the statements the run printed must
 * not apply the flushed rows, and must go on replicating the source. Without them it would.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startExtraServer } from '../sandbox/local.js';
import type { ServerInfo } from '../sandbox/types.js';
import { rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';

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
