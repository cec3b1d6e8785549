/**
 * The consumer's side: the manifest's per-table ranges read back with a real binlog reader, `verify`
 * (clean, a lying journal, a foreign write in the range), the retention warning, the reader-facing
 * session settings, and the GTID placement.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../../src/model/log.js';
import type { Manifest } from '../../src/journal/manifest.js';
import { verify } from '../../src/verify/verify.js';
import { readBinlog, rowsByTable } from '../support/binlog.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { q, rows, settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush, tempHashfile } from '../support/flusher.js';
import { snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_consumer';
const OTHER = 'bf_consumer_other';
const TABLES = { a: 300, b: 200, c: 100 };

async function verifyJournal(hashfile: string) {
  return verify({ connection: settingsFor(sb.replica), hashfile, timeout: 60 }, memoryLogger());
}

const settings = (over: Parameters<typeof flushSettings>[1] = {}) =>
  flushSettings(sb.replica, {
    selection: { databases: [S], tables: [], skip: [] },
    chunkSize: 50,
    concurrency: 3,
    ...over,
  });

describe("the consumer's side", () => {
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; DROP DATABASE IF EXISTS ${OTHER}; CREATE DATABASE ${OTHER};
        CREATE TABLE ${OTHER}.t (id INT PRIMARY KEY, note VARCHAR(40))`);
      for (const [t, n] of Object.entries(TABLES)) {
        await c.query(`CREATE TABLE ${S}.${t} (id INT PRIMARY KEY, v VARCHAR(40), n BIGINT)`);
        const values = Array.from({ length: n }, (_, i) => `(${i + 1}, 'row ${t} ${i + 1}', ${i * 7})`);
        await c.query(`INSERT INTO ${S}.${t} VALUES ${values.join(',')}`);
      }
    });
    await waitCaughtUp(sb.primary, sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it("writes a manifest whose every table range holds all of that table's rows, read back with mariadb-binlog/mysqlbinlog", async () => {
    const s = settings();
    const { report, log } = await runFlush(s);
    expect(report.status, log.lines.join('\n')).toBe('flushed');
    expect(report.manifest).toBe(`${s.hashfile}.manifest.json`);
    const m = JSON.parse(readFileSync(report.manifest!, 'utf8')) as Manifest;
    expect(m.kind).toBe('binlog-flusher-manifest');
    expect(m.binlog.start).toEqual(report.binlog!.start);
    expect(m.binlog.end).toEqual(report.binlog!.end);
    expect(m.tables.map((t) => [t.table, t.rows]).sort()).toEqual(Object.entries(TABLES).sort());
    for (const t of m.tables) {
      // Chunks of 50 rows: a table of 300 rows is 6 chunks.
      expect(t.chunks).toBe(TABLES[t.table as keyof typeof TABLES] / 50);
      const events = await readBinlog(sb.replica, t.start!, t.end!);
      const mine = rowsByTable(events).get(`${q(S)}.${q(t.table)}`) ?? [];
      expect(mine.length, `${t.table} between ${JSON.stringify(t.start)} and ${JSON.stringify(t.end)}`).toBe(
        t.rows,
      );
      expect(new Set(mine.map((r) => r[0])).size).toBe(t.rows);
      // The same range is in the report (the --json result) and the journal's table-done record.
      expect(report.tables.find((x) => x.table === t.table)?.binlog).toEqual({ start: t.start, end: t.end });
    }
    await startReplica(sb.replica);
  });

  it('verify: a clean run verifies, and the CLI exits 0 with a table of what it found', async () => {
    const s = settings();
    const { report } = await runFlush(s);
    expect(report.status).toBe('flushed');
    const v = await verifyJournal(s.hashfile!);
    expect(v.foreign).toEqual([]);
    expect(v.tables.map((t) => [t.table, t.expected, t.found, t.ddl, t.problems]).sort()).toEqual(
      Object.entries(TABLES)
        .map(([t, n]) => [t, n, n, true, []])
        .sort(),
    );
    expect(v.status).toBe('verified');
    const cli = await runCliProcess(['verify', '--mycnf', mycnfFor(sb.replica), '--hashfile', s.hashfile!]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/bf_consumer\.a\s+300\s+300\s+by value\s+ok/);
    expect(cli.stdout).toMatch(/Result: verified \(3 of 3 tables compared by value\)/);
    await startReplica(sb.replica);
  });

  it('verify: a journal that claims one more row than was written fails, naming the table, exit 6', async () => {
    const s = settings();
    const { report } = await runFlush(s);
    expect(report.status).toBe('flushed');
    const lines = readFileSync(s.hashfile!, 'utf8').trimEnd().split('\n');
    const plan = JSON.parse(lines[1]!) as { tables: Array<{ id: number; table: string }> };
    const idB = plan.tables.find((t) => t.table === 'b')!.id;
    const lying = lines.map((l) => {
      const r = JSON.parse(l) as { type: string; id?: number; rows?: number };
      return r.type === 'table-done' && r.id === idB ? JSON.stringify({ ...r, rows: r.rows! + 1 }) : l;
    });
    const liar = tempHashfile();
    writeFileSync(liar, lying.join('\n') + '\n');
    const v = await verifyJournal(liar);
    expect(v.status).toBe('mismatch');
    expect(v.exitCode).toBe(6);
    expect(v.tables.find((t) => t.table === 'b')!.problems).toEqual([
      '200 rows in the binlog, the journal says 201',
    ]);
    expect(v.tables.filter((t) => t.problems.length).map((t) => t.table)).toEqual(['b']);
    const cli = await runCliProcess(['verify', '--mycnf', mycnfFor(sb.replica), '--hashfile', liar]);
    expect(cli.code).toBe(6);
    expect(cli.stdout).toMatch(
      /bf_consumer\.b\s+201\s+200\s+by value\s+MISMATCH: 200 rows in the binlog, the journal says 201/,
    );
    await startReplica(sb.replica);
  });

  it('verify: a row written by hand to another table on the replica during the flush is reported', async () => {
    const s = settings({ concurrency: 1 });
    let written = false;
    const { report } = await runFlush(s, {
      fault: async (p, t) => {
        if (written || p !== 'after-twin' || t?.table !== 'b') return;
        written = true;
        await withSql(sb.replica, (c) => c.query(`INSERT INTO ${OTHER}.t VALUES (1, 'by hand')`));
      },
    });
    expect(written).toBe(true);
    expect(report.status).toBe('flushed');
    const v = await verifyJournal(s.hashfile!);
    expect(v.status).toBe('mismatch');
    expect(v.foreign.map((f) => [f.what, f.count])).toEqual([[`insert rows of ${OTHER}.t`, 1]]);
    // The flushed tables themselves are all there.
    expect(v.tables.every((t) => t.problems.length === 0)).toBe(true);
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DELETE FROM ${OTHER}.t`));
    await startReplica(sb.replica);
  });

  it('warns in preflight when binlog expiry leaves less than the margin after the estimated end, and shows the estimate', async () => {
    // 12 hours of retention: MySQL 8.4+ has only binlog_expire_logs_seconds (expire_logs_days is
    // gone); MariaDB reads it from expire_logs_days as well.
    const [variable, half, fix] =
      sb.flavour === 'mysql'
        ? ['binlog_expire_logs_seconds', '43200', /SET PERSIST binlog_expire_logs_seconds/]
        : ['expire_logs_days', '0.5', /SET GLOBAL expire_logs_days/];
    const [found] = await withSql(sb.replica, (c) =>
      rows<{ old: string }>(c, `SELECT @@GLOBAL.${variable} AS old`),
    );
    const old = Number(found!.old);
    await withSql(sb.replica, (c) => c.query(`SET GLOBAL ${variable} = ${half}`));
    try {
      const { report } = await runFlush(settings({ dryRun: true }));
      const w = report.warnings.filter((x) => x.startsWith('binlog retention'));
      expect(w).toHaveLength(1);
      expect(w[0]).toMatch(/purged 12\.0 h after they are written \(binlog_expire_logs_seconds\)/);
      expect(w[0]).toMatch(/short of the 24 h margin/);
      expect(w[0]).toMatch(fix);
      expect(report.estimate!.rows).toBeGreaterThan(0);
      expect(report.estimate!.binlogBytes).toBeGreaterThan(0);
      // Below the margin the hours: no warning.
      const quiet = await runFlush(settings({ dryRun: true, retentionMarginHours: 6 }));
      expect(quiet.report.warnings.filter((x) => x.startsWith('binlog retention'))).toEqual([]);
      const cli = await runCliProcess(['flush', '--dry-run', '--mycnf', mycnfFor(sb.replica), '--db', S]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stderr).toMatch(/binlog retention: files are purged 12\.0 h/);
      expect(cli.stdout).toMatch(/Binlog estimate: about [\d.]+ KiB of binlog for ~\d+ rows/);
    } finally {
      await withSql(sb.replica, (c) => c.query(`SET GLOBAL ${variable} = ${old}`));
    }
  });

  it.skipIf(sb.flavour !== 'mysql')(
    'with binlog_transaction_compression ON globally (MySQL 8.0.20+), the rows still land as plain Write_rows events',
    async () => {
      await withSql(sb.replica, (c) => c.query('SET GLOBAL binlog_transaction_compression = ON'));
      try {
        const { report, log } = await runFlush(settings());
        expect(report.status, log.lines.join('\n')).toBe('flushed');
        const start = report.binlog!.start;
        const end = report.binlog!.end!;
        const types = await withSql(sb.replica, async (c) => {
          const files = (await rows<{ Log_name: string }>(c, 'SHOW BINARY LOGS')).map((r) => r.Log_name);
          const out: string[] = [];
          for (const f of files.slice(files.indexOf(start.file), files.indexOf(end.file) + 1)) {
            const ev = await rows<{ Pos: number; End_log_pos: number; Event_type: string }>(
              c,
              `SHOW BINLOG EVENTS IN '${f}'`,
            );
            for (const e of ev) {
              const at = { f, p: Number(e.Pos) };
              const afterStart = f !== start.file || at.p >= start.position;
              const beforeEnd = f !== end.file || Number(e.End_log_pos) <= end.position;
              if (afterStart && beforeEnd) out.push(e.Event_type);
            }
          }
          return out;
        });
        expect(types).not.toContain('Transaction_payload');
        expect(types.filter((t) => t === 'Write_rows').length).toBeGreaterThan(0);
        // Only the flush's own sessions turned it off: the global setting is left as it was.
        const [v] = await withSql(sb.replica, (c) =>
          rows<{ v: string }>(c, 'SELECT @@GLOBAL.binlog_transaction_compression AS v'),
        );
        expect(String(v!.v)).toMatch(/^(1|ON)$/);
      } finally {
        await withSql(sb.replica, (c) => c.query('SET GLOBAL binlog_transaction_compression = OFF'));
      }
    },
  );

  it.skipIf(sb.flavour !== 'mariadb')(
    'refuses with log_bin_compress ON (MariaDB), naming the fix; nothing changes',
    async () => {
      const before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
      await withSql(sb.replica, (c) => c.query('SET GLOBAL log_bin_compress = ON'));
      try {
        await expect(runFlush(settings())).rejects.toThrow(
          /log_bin_compress is ON[^]*SET GLOBAL log_bin_compress = OFF/,
        );
      } finally {
        await withSql(sb.replica, (c) => c.query('SET GLOBAL log_bin_compress = OFF'));
      }
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    },
  );
});
