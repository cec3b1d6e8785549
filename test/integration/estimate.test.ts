/**
 * Issue 17, finding 9: right after 300,000 rows were loaded, the dry run estimated 49.5 KiB of binlog
 * (the server's statistics had not caught up). The plan counts rows where that is cheap, takes the
 * row length from a sample when the statistics have none, and says what it rests on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';

const sb = inject('sandbox')!;
const S = 'bf_estimate';

describe("the plan's estimate right after a bulk load", () => {
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const maria = sb.flavour === 'mariadb';
    // Empty when the statistics are taken, then 300,000 rows at once: they still say (about) none.
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
        CREATE TABLE ${S}.loaded (id INT PRIMARY KEY, pad VARCHAR(100)) STATS_AUTO_RECALC = 0;
        ANALYZE TABLE ${S}.loaded;
        INSERT INTO ${S}.loaded SELECT seq, REPEAT('x', 100) FROM (${seqSql(maria, 300000)}) s;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  }, 120_000);
  afterAll(async () => {
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it('counts the rows and samples their length; the dry run says so', async () => {
    const [stats] = await withSql(sb.replica, async (c) => {
      await c.query(sb.flavour === 'mysql' ? 'SET SESSION information_schema_stats_expiry = 0' : 'DO 0');
      const [r] = await c.query(
        `SELECT TABLE_ROWS AS r, DATA_LENGTH AS d FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'loaded'`,
        [S],
      );
      return r as { r: number; d: number }[];
    });
    // The precondition: the statistics' data length is behind (what the old estimate rested on).
    expect(Number(stats!.d)).toBeLessThan(1 << 20);
    const { report, log } = await runFlush(
      flushSettings(sb.replica, { selection: { databases: [S], tables: [], skip: [] }, dryRun: true }),
    );
    expect(report.status, log.lines.join('\n')).toBe('planned');
    const t = report.tables.find((x) => x.table === 'loaded')!;
    expect(t.rowsEstimate).toBe(300_000);
    // Each row: an INT (1 to 6 digits), 100 bytes of text, a byte per column.
    expect(t.bytesEstimate).toBeGreaterThan(300_000 * 100);
    expect(t.bytesEstimate).toBeLessThan(300_000 * 112);
    expect(report.estimate!.basis).toBe('rows counted for the table');
    expect(log.lines.join('\n')).toMatch(
      /binlog estimate: about 3\d\.\d MiB of binlog for ~300000 rows \(rows counted for the table\)/,
    );
  }, 120_000);

  it('a table over a million rows by the statistics is not counted (too dear); its row length is still sampled', async () => {
    const maria = sb.flavour === 'mariadb';
    const B = `${S}_big`;
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
        DROP DATABASE IF EXISTS ${B}; CREATE DATABASE ${B}; USE ${B};
        CREATE TABLE ${B}.big (id INT PRIMARY KEY, pad VARCHAR(40));
        INSERT INTO ${B}.big SELECT seq, REPEAT('y', 40) FROM (${seqSql(maria, 1_100_000)}) s;`),
    );
    try {
      await waitCaughtUp(sb.primary, sb.replica);
      await withSql(sb.replica, (c) => c.query(`ANALYZE TABLE ${B}.big`));
      const { report, log } = await runFlush(
        flushSettings(sb.replica, { selection: { databases: [B], tables: [], skip: [] }, dryRun: true }),
      );
      expect(report.status, log.lines.join('\n')).toBe('planned');
      const t = report.tables[0]!;
      // InnoDB's own row count (an estimate), not a count: rarely exact.
      expect(report.estimate!.basis).toBe("rows from the server's statistics");
      expect(t.rowsEstimate).toBeGreaterThan(1_000_000);
      // The bytes rest on the sampled length: an INT, 40 bytes of text, a byte per column.
      expect(t.bytesEstimate / t.rowsEstimate).toBeGreaterThan(40);
      expect(t.bytesEstimate / t.rowsEstimate).toBeLessThan(50);
    } finally {
      await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${B}`));
    }
  }, 180_000);
});
