import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KINDS_SCHEMA, KINDS_SCHEMA2, kindsSql } from '../fixtures/kinds.js';
import { q, replicaRunning, rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { binlogProblems, readBinlog, rowsByTable, sameTable, type BinlogEvent } from '../support/binlog.js';
import { otherReaderRows } from '../support/row-images.js';
import { flushSettings, runFlush, runRecover } from '../support/flusher.js';

const sb = inject('sandbox')!;
const schemas = [KINDS_SCHEMA, KINDS_SCHEMA2];

async function snap(): Promise<Record<string, SchemaSnapshot>> {
  return withSql(sb.replica, async (c) => {
    const out: Record<string, SchemaSnapshot> = {};
    for (const s of schemas) out[s] = await snapshotSchema(c, s);
    return out;
  });
}

describe('flush on the sandbox replica', () => {
  let before: Record<string, SchemaSnapshot>;

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(kindsSql(sb.flavour)));
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('flushes every kind of table, leaves each identical, and writes exactly its DDL and rows', async () => {
    const s = flushSettings(sb.replica, { selection: { databases: schemas, tables: [], skip: [] } });
    const { report, log } = await runFlush(s);
    expect(report.status, log.lines.join('\n')).toBe('flushed');
    expect(report.exitCode).toBe(0);

    // Every table identical: rows, definition, triggers, foreign keys both ways; nothing left over.
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);

    // Skipped objects, each with a reason; never renamed.
    const skipped = report.skipped.map((k) => `${k.schema}.${k.table}`);
    expect(skipped).toContain(`${KINDS_SCHEMA}.v_plain`);
    if (sb.flavour === 'mariadb') {
      expect(skipped).toContain(`${KINDS_SCHEMA}.versioned`);
      expect(skipped).toContain(`${KINDS_SCHEMA}.seq_t`);
    }
    for (const k of report.skipped) expect(k.reason.length).toBeGreaterThan(10);

    // The applier was stopped and left stopped (the default).
    expect(report.replica.stopped).toBe(true);
    expect(await replicaRunning(sb.replica)).toBe(false);

    // The binlog: per table its CREATE TABLE, then every row exactly once, under the real name.
    const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
    assertOnlyOurPayload(
      events,
      report.tables.map((t) => `${q(t.schema)}.${q(t.table)}`),
    );
    // Per table every row exactly once (read by zongji where the server's reader cannot decode a
    // column), its CREATE TABLE before its first row.
    const range = { start: report.binlog!.start, end: report.binlog!.end! };
    const problems = binlogProblems(
      events,
      report.tables.map((t) => ({
        name: `${q(t.schema)}.${q(t.table)}`,
        rows: before[t.schema]!.tables[t.table]!.count,
        distinct: !['nokey', 'parted_nokey'].includes(t.table),
      })),
      true,
      await otherReaderRows(sb.replica, events, range),
    );
    expect(problems).toEqual([]);
    for (const t of report.tables) expect(t.rows, t.table).toBe(before[t.schema]!.tables[t.table]!.count);
    // Rows of the big table went in bounded chunks with no repeat at chunk edges.
    const byTable = rowsByTable(events);
    const big = report.tables.find((t) => t.table === 'big')!;
    expect(big.chunks).toBeGreaterThanOrEqual(25);
    const ids = (byTable.get(`${q(KINDS_SCHEMA)}.${q('big')}`) ?? []).map((v) => Number(v[0]));
    expect(new Set(ids).size).toBe(25000);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(25000);

    // Same name in two schemas: each flushed under its own schema with its own rows.
    expect(byTable.get(`${q(KINDS_SCHEMA)}.${q('dup')}`)?.length).toBe(5);
    expect(byTable.get(`${q(KINDS_SCHEMA2)}.${q('dup')}`)?.length).toBe(7);

    // Recover on a finished journal changes nothing.
    const rec = await runRecover(sb.replica, s.hashfile!);
    expect(rec.report.status).toBe('recovered');
    expect(rec.report.tables.every((t) => t.outcome === 'already-restored')).toBe(true);
    expect(await snap()).toEqual(before);
  });

  it('with --table and --ddl none: only the named tables, rows only, and --start-slave starts the applier', async () => {
    await startReplica(sb.replica);
    const s = flushSettings(sb.replica, {
      selection: {
        databases: [],
        tables: [{ schema: KINDS_SCHEMA, table: 'parent' }, { table: 'other' }],
        skip: [],
      },
      ddl: 'none',
      replication: { stopReplica: true, startReplica: true },
    });
    // A bare name means that table in every schema: other test files may have an `other` too.
    const others = await withSql(sb.replica, (c) =>
      rows<{ s: string; n: number }>(
        c,
        `SELECT TABLE_SCHEMA AS s, TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_NAME = 'other'
           AND TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')`,
      ),
    );
    expect(others.map((o) => o.s)).toContain(KINDS_SCHEMA2);
    const { report, log } = await runFlush(s);
    expect(report.status, log.lines.join('\n')).toBe('flushed');
    expect(report.tables.map((t) => `${t.schema}.${t.table}`).sort()).toEqual(
      [`${KINDS_SCHEMA}.parent`, ...others.map((o) => `${o.s}.other`)].sort(),
    );
    const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
    expect(events.filter((e) => e.kind === 'query')).toEqual([]);
    const byTable = rowsByTable(events);
    const withRows = report.tables.filter((t) => t.rows > 0).map((t) => `${q(t.schema)}.${q(t.table)}`);
    expect(withRows).toContain(`${q(KINDS_SCHEMA2)}.${q('other')}`);
    expect([...byTable.keys()].sort()).toEqual(withRows.sort());
    expect(report.replica.started).toBe(true);
    expect(await replicaRunning(sb.replica)).toBe(true);
    await waitCaughtUp(sb.primary, sb.replica);
    expect(await snap()).toEqual(before);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const s = flushSettings(sb.replica, {
      selection: { databases: [KINDS_SCHEMA], tables: [], skip: [] },
      dryRun: true,
    });
    const { report } = await runFlush(s);
    expect(report.status).toBe('planned');
    expect(report.tables.find((t) => t.table === 'big')?.chunking).toMatch(
      /^chunks of \d+ rows on PRIMARY \(id\), on any worker$/,
    );
    expect(report.tables.find((t) => t.table === 'nokey')?.chunking).toBe('whole table');
    expect(report.tables.find((t) => t.table === 'parted_nokey')?.chunking).toBe('whole, per partition');
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await snap()).toEqual(before);
  });
});

function assertOnlyOurPayload(events: BinlogEvent[], flushed: string[]): void {
  for (const e of events) {
    const text = JSON.stringify(e);
    expect(text, 'no backup or twin name in the binlog').not.toMatch(/_bf_[0-9a-f]{8}/);
    if (e.kind === 'query') {
      expect(e.sql, 'only CREATE TABLE statements').toMatch(/^CREATE TABLE /);
      expect(
        flushed.some((n) => e.sql.startsWith(`CREATE TABLE ${n} (`)),
        e.sql.slice(0, 80),
      ).toBe(true);
    }
    if (e.kind === 'row') expect(e.op).toBe('INSERT');
    if (e.kind === 'table-map' || e.kind === 'row')
      expect(
        flushed.some((n) => sameTable(e.table, n)),
        e.table,
      ).toBe(true);
  }
}
