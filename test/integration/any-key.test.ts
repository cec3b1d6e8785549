/**
 * Issue 20: parallel chunks on any key. A table keyed by a binary or text UUID, a case- and
 * accent-aware VARCHAR (rows that differ only in accent or trailing space, where the collation keeps
 * them apart), an (INT, VARCHAR) pair, a DECIMAL, a DATETIME(6) or an ENUM is cut ahead into chunks
 * that several workers copy at once; every row is in the binlog exactly once. A key whose values
 * cannot travel exactly (TIMESTAMP, DOUBLE) is copied by one lane, and the plan says why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { readBinlog, rowsByTable, sameTable } from '../support/binlog.js';
import { q, rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_anykey';
const N = 3000;
const maria = sb.flavour === 'mariadb';
/** Case-insensitive, accent-sensitive and NO PAD: 'e', 'é' and 'e ' are three keys; 'E' is 'e'. */
const CI = maria ? 'utf8mb4_uca1400_nopad_as_ci' : 'utf8mb4_0900_as_ci';

/** Table -> its CREATE TABLE body and the INSERT ... SELECT over `seq` (1..N) that fills it. */
const TABLES: Record<string, { cols: string; fill: string }> = {
  uuid_bin: {
    cols: 'id BINARY(16) PRIMARY KEY, v INT',
    fill: 'SELECT UNHEX(LEFT(SHA2(seq, 256), 32)), seq',
  },
  uuid_text: {
    cols: 'id CHAR(36) PRIMARY KEY, v INT',
    fill: "SELECT INSERT(INSERT(INSERT(INSERT(LEFT(SHA2(seq, 256), 32), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'), seq",
  },
  varchar_ci: {
    cols: `k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE ${CI} PRIMARY KEY, v INT`,
    // Per seq: a base word, and the same word with an accent and with a trailing space (where they
    // are distinct keys); upper case for some, which this collation compares as lower case.
    fill: `SELECT CONCAT(IF(seq % 3 = 0, 'W', 'w'), seq DIV 3, CASE seq % 3 WHEN 0 THEN 'e' WHEN 1 THEN 'é' ELSE 'e ' END), seq`,
  },
  composite: {
    cols: `g INT, s VARCHAR(20) CHARACTER SET utf8mb4 COLLATE ${CI}, v INT, PRIMARY KEY (g, s)`,
    fill: "SELECT seq % 7 - 3, CONCAT(IF(seq % 2 = 0, 'K', 'k'), seq, IF(seq % 5 = 0, ' ', '')), seq",
  },
  decimal_key: {
    cols: 'd DECIMAL(24,6) PRIMARY KEY, v INT',
    fill: `SELECT (seq - ${N / 2}) * 1234567.891234 + IF(seq = 1, -999999999999999999.999999 + 1234567.891234 * ${N / 2 - 1}, 0), seq`,
  },
  datetime6: {
    cols: 'at DATETIME(6) PRIMARY KEY, v INT',
    fill: "SELECT TIMESTAMPADD(MICROSECOND, seq * 1000001 + seq % 997, '2023-03-26 00:59:59'), seq",
  },
  enum_key: {
    cols: "e ENUM('zulu','alpha','mike','bravo','yankee') NOT NULL, n INT, v INT, PRIMARY KEY (e, n)",
    fill: "SELECT ELT(seq % 5 + 1, 'zulu','alpha','mike','bravo','yankee'), seq, seq",
  },
  unsigned_sparse: {
    cols: 'u BIGINT UNSIGNED PRIMARY KEY, v INT',
    fill: 'SELECT IF(seq = 1, 18446744073709551615, seq * 1000003), seq',
  },
  // MariaDB's own UUID type, which it orders by its time fields first.
  ...(maria && {
    uuid_native: {
      cols: 'id UUID PRIMARY KEY, v INT',
      fill: 'SELECT UUID(), seq',
    },
  }),
  timestamp_key: {
    cols: 'ts TIMESTAMP(6) NOT NULL PRIMARY KEY, v INT',
    fill: "SELECT TIMESTAMPADD(SECOND, seq, '2024-01-01 00:00:00'), seq",
  },
  double_key: {
    cols: 'f DOUBLE NOT NULL PRIMARY KEY, v INT',
    fill: 'SELECT seq / 7, seq',
  },
};
const LANES: Record<string, RegExp> = {
  timestamp_key: /^one lane on PRIMARY \(ts\), 200 rows a chunk: ts is a TIMESTAMP/,
  double_key: /^one lane on PRIMARY \(f\), 200 rows a chunk: f is a DOUBLE/,
};

/** Per table id, the most of its chunks sent (each on its worker's own session) and not yet answered. */
function mostOutstanding(lines: string[], id: number): number {
  let now = 0;
  let most = 0;
  for (const l of lines) {
    if (new RegExp(`worker \\d+: table ${id}: chunk \\d+`).test(l)) most = Math.max(most, ++now);
    else if (new RegExp(`table ${id}: chunk \\d+ done`).test(l)) now -= 1;
  }
  return most;
}

describe('parallel chunks on any key', () => {
  let before: unknown;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const seq = seqSql(maria, N);
    const ddl = Object.entries(TABLES)
      .map(
        ([t, { cols, fill }]) =>
          `CREATE TABLE ${S}.${t} (${cols}) ENGINE=InnoDB; INSERT INTO ${S}.${t} ${fill} FROM (SELECT CAST(seq AS SIGNED) AS seq FROM (${seq}) x0) x;`,
      )
      .join('\n');
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000;'}
        SET SESSION time_zone = '+00:00';
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S}; ${ddl}`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    await withSql(sb.replica, (c) =>
      c.query(
        `ANALYZE TABLE ${Object.keys(TABLES)
          .map((t) => `${S}.${t}`)
          .join(', ')}`,
      ),
    );
    for (const t of Object.keys(TABLES)) {
      const [r] = await withSql(sb.replica, (c) =>
        rows<{ n: number }>(c, `SELECT COUNT(*) AS n FROM ${S}.${t}`),
      );
      expect(Number(r!.n), `${t}: rows on the replica`).toBe(N);
    }
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
  }, 180_000);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it.each(Object.keys(TABLES))(
    '%s: cut ahead and copied by several workers at once, every row in the binlog once (or one lane, saying why)',
    async (table) => {
      const s = flushSettings(sb.replica, {
        selection: { databases: [S], tables: [{ schema: S, table }], skip: [] },
        chunkSize: 200,
        concurrency: 4,
      });
      const { report, log } = await runFlush(s);
      expect(report.status, log.lines.join('\n')).toBe('flushed');
      expect(report.tables.map((t) => t.table)).toEqual([table]);
      const t = report.tables[0]!;
      const lane = LANES[table];
      if (lane) expect(t.chunking).toMatch(lane);
      else {
        expect(t.chunking).toMatch(/^chunks of 200 rows on PRIMARY \(.*\), on any worker$/);
        expect(t.chunks, 'chunks').toBeGreaterThanOrEqual(N / 200);
        const workers = new Set(
          log.lines.map((l) => /worker (\d+): table 1: chunk/.exec(l)?.[1]).filter(Boolean),
        );
        expect(workers.size, 'workers that copied its chunks').toBeGreaterThan(1);
        expect(mostOutstanding(log.lines, 1), 'its chunks out on several sessions at once').toBeGreaterThan(
          1,
        );
      }
      const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
      const byTable = rowsByTable(events);
      expect(
        [...byTable.keys()].filter((p) => !sameTable(p, `${q(S)}.${q(table)}`)),
        'other tables',
      ).toEqual([]);
      const got = [...byTable.values()][0] ?? [];
      expect(got.length, 'rows in the binlog').toBe(N);
      expect(new Set(got.map((r) => JSON.stringify(r))).size, 'distinct rows in the binlog').toBe(N);
      expect(t.rows).toBe(N);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    },
    120_000,
  );

  it('every table is as it was', async () => {
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
  });
});
