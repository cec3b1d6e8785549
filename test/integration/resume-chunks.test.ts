/**
 * Issue 20, chunk-level resume: the flusher is SIGKILLed in the middle of a big table while four
 * workers copy it (chunks out on the server when it dies), then `recover`, then `flush --resume`. Over
 * both runs the binlog holds the table's CREATE TABLE once and each of its rows exactly once; the
 * second run sends only the chunks the first had not committed. For a key cut by a walk (BINARY(16))
 * and for a dense integer key (ranges).
 */
import { readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { readJournal } from '../../src/journal/journal.js';
import { manifestPath, type Manifest } from '../../src/journal/manifest.js';
import { readBinlog, rowsByTable, sameTable } from '../support/binlog.js';
import { q, rows, sql, startReplica, waitCaughtUp, waitStatementsDone, withSql } from '../support/db.js';
import { mycnfFor, recoverWith, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { waitUntil } from '../support/process.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_resume_chunks';
const N = 20_000;
const maria = sb.flavour === 'mariadb';

/** Acknowledged chunks of the table (journal id `id`) in the journal file so far. */
function acked(journal: string, id: number): number {
  let text: string;
  try {
    text = readFileSync(journal, 'utf8');
  } catch {
    return 0;
  }
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"type":"chunk"')) continue;
    try {
      const r = JSON.parse(line) as { id: number; acks?: unknown[] };
      if (r.id === id) n += r.acks?.length ?? 0;
    } catch {
      // a line being written
    }
  }
  return n;
}

describe('a big table resumed where it stopped', () => {
  let cnf: string;
  let before: unknown;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const seq = `SELECT CAST(seq AS SIGNED) AS seq FROM (${seqSql(maria, N)}) x0`;
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000;'}
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
        CREATE TABLE ${S}.by_uuid (id BINARY(16) PRIMARY KEY, pad VARCHAR(40));
        INSERT INTO ${S}.by_uuid SELECT UNHEX(LEFT(SHA2(seq, 256), 32)), REPEAT('u', 40) FROM (${seq}) x;
        CREATE TABLE ${S}.by_int (id INT PRIMARY KEY, pad VARCHAR(40));
        INSERT INTO ${S}.by_int SELECT seq, REPEAT('i', 40) FROM (${seq}) x;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    await withSql(sb.replica, (c) => c.query(`ANALYZE TABLE ${S}.by_uuid, ${S}.by_int`));
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
    cnf = mycnfFor(sb.replica);
  }, 180_000);
  const recover = (hashfile: string) => recoverWith(cnf)(hashfile);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it.each([
    ['by_uuid', 500],
    ['by_int', 500],
    // Chunks of 50: 400 cuts, so the walk is still going when the flusher dies; the resume walks on.
    ['by_uuid', 50],
  ])(
    '%s in chunks of %i: killed mid-table with chunks out, recovered, resumed: its CREATE TABLE once and every row once over both runs',
    async (table, size) => {
      const first = tempHashfile();
      const flushArgs = [
        'flush',
        '--mycnf',
        cnf,
        '--db',
        S,
        '--table',
        table,
        '--chunk-size',
        String(size),
        '--concurrency',
        '4',
        '--max-rows-per-second',
        '8000',
      ];
      // Once 10 of its 40 chunks are acknowledged, a session of ours locks the table's name (the
      // twin): the chunks sent after wait on the server. The flusher is killed with them out; then
      // the lock goes and they commit, unacknowledged: the resume must learn them from the binlog.
      /** This table's chunks the server runs now (or that wait there on the lock). */
      const chunksOut = async (c: mysql.Connection) =>
        Number(
          (
            await rows<{ n: number }>(
              c,
              `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO \`${S}\`.\`${table}\`%'`,
            )
          )[0]!.n,
        );
      let pid = 0;
      let ackedAtKill = 0;
      const locker = await sql(sb.replica);
      let locked: Promise<void> | undefined;
      const watch = setInterval(() => {
        if (!pid || locked || acked(first, 1) < 10) return;
        locked = (async () => {
          // With small chunks the walk is still reading the set-aside table: it waits there too.
          const plan = readFileSync(first, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('{"type":"plan"'))!;
          const backup = (JSON.parse(plan) as { tables: { backup: string }[] }).tables[0]!.backup;
          await locker.query(
            size === 50
              ? `LOCK TABLES ${S}.${table} WRITE, ${S}.${backup} WRITE`
              : `LOCK TABLES ${S}.${table} WRITE`,
          );
          // A chunk sent after the lock waits on it on the server: then the flusher dies.
          await waitUntil('a chunk waiting on the locked table', async () => (await chunksOut(locker)) > 0);
          ackedAtKill = acked(first, 1);
          process.kill(pid, 'SIGKILL');
        })();
      }, 10);
      const killed = await runCliProcess([...flushArgs, '--hashfile', first], {
        onSpawn: (p) => (pid = p),
      }).finally(() => clearInterval(watch));
      await locked;
      const out = await withSql(sb.replica, chunksOut);
      await locker.query('UNLOCK TABLES');
      await locker.end();
      expect(out, 'chunks out on the server when the flusher died').toBeGreaterThan(0);
      const walkOpen =
        table === 'by_uuid' &&
        !/"type":"chunk-cut","id":1,"seq":\d+,"cut":null/.test(readFileSync(first, 'utf8'));
      if (size === 50) expect(walkOpen, 'the walk had not ended when the flusher died').toBe(true);
      expect(killed.signal, killed.stdout + killed.stderr).toBe('SIGKILL');
      expect(ackedAtKill).toBeGreaterThanOrEqual(10);
      await waitStatementsDone(sb.replica);
      const rec = await recover(first);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);

      // Issue 25, finding 9: the manifest recover wrote counts the rows the binlog holds of the table
      // (the chunks out when the flusher died included), exactly; verify of the recovered run reads
      // its range up to where recover found the binlog, and passes, counting the partial table.
      const recovered = readJournal(first);
      const held = await readBinlog(sb.replica, recovered.binlog.start!, recovered.recoveredAt!);
      const heldRows = [...rowsByTable(held)].find(([p]) => sameTable(p, `${q(S)}.${q(table)}`))?.[1] ?? [];
      const m1 = JSON.parse(readFileSync(manifestPath(first), 'utf8')) as Manifest;
      const entry = m1.tables.find((x) => x.table === table)!;
      expect(entry.rows, 'rows the manifest gives: those the binlog holds').toBe(heldRows.length);
      expect(entry, JSON.stringify(m1.tables)).toMatchObject({ partial: true, rowsAre: 'exact' });
      expect(heldRows.length, 'rows the binlog holds beyond the acknowledged chunks').toBeGreaterThan(
        ackedAtKill * size,
      );
      expect(m1.binlog.end).toEqual(recovered.recoveredAt);
      expect(m1.run.ended).toBe('recovered');
      const v1 = await runCliProcess(['verify', '--mycnf', cnf, '--hashfile', first, '--json']);
      expect(v1.code, v1.stdout + v1.stderr).toBe(0);
      const vr = JSON.parse(v1.stdout) as {
        status: string;
        tables: {
          table: string;
          expected: number;
          found: number;
          partial?: true;
          values?: { by: string; why?: string };
        }[];
      };
      expect(vr.status).toBe('verified');
      expect(vr.tables.find((x) => x.table === table)).toMatchObject({
        expected: heldRows.length,
        found: heldRows.length,
        partial: true,
        values: { by: 'count', why: expect.stringMatching(/^partial: /) as unknown },
      });

      const second = tempHashfile();
      const resumed = await runCliProcess([
        'flush',
        '--mycnf',
        cnf,
        '--resume',
        first,
        '--hashfile',
        second,
        '--json',
      ]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(
        new RegExp(`${S}\\.${table}: resumed at chunk level: \\d+ chunk\\(s\\)`),
      );
      const report = JSON.parse(resumed.stdout) as {
        tables: {
          table: string;
          rows: number;
          chunks: number;
          resumed?: { chunksBefore: number; rowsBefore: number };
        }[];
      };
      const t = report.tables.find((x) => x.table === table)!;
      expect(t.resumed, resumed.stderr).toBeDefined();
      expect(t.resumed!.chunksBefore).toBeGreaterThanOrEqual(ackedAtKill);
      console.log(
        `${table}: ${ackedAtKill} chunks acknowledged at the kill, ${out} out; the resume found ${t.resumed!.chunksBefore} committed`,
      );
      expect(
        t.resumed!.chunksBefore,
        'chunks the binlog showed committed though never acknowledged',
      ).toBeGreaterThan(ackedAtKill);
      expect(t.rows + t.resumed!.rowsBefore).toBe(N);
      // Every chunk of the plan once over both runs (a walk's last chunk, after a cut on the last row, is empty).
      expect(t.chunks + t.resumed!.chunksBefore).toBe(N / size + (table === 'by_uuid' ? 1 : 0));

      // Over both runs: from the first run's start to the second's end.
      const events = await readBinlog(
        sb.replica,
        readJournal(first).binlog.start!,
        readJournal(second).binlog.end!,
      );
      const creates = events.filter(
        (e) => e.kind === 'query' && e.sql.startsWith(`CREATE TABLE ${q(S)}.${q(table)} (`),
      );
      expect(creates.length, 'CREATE TABLE statements over both runs').toBe(1);
      const byTable = rowsByTable(events);
      const printed = [...byTable.keys()].find((p) => sameTable(p, `${q(S)}.${q(table)}`));
      const got = printed ? byTable.get(printed)! : [];
      expect(got.length, 'rows in the binlog over both runs').toBe(N);
      expect(new Set(got.map((r) => JSON.stringify(r))).size, 'distinct rows over both runs').toBe(N);

      // The second run's manifest says so, and verify agrees with its range.
      const m = JSON.parse(readFileSync(manifestPath(second), 'utf8')) as Manifest;
      expect(m.tables.find((x) => x.table === table)?.resumed).toEqual({ rowsBefore: t.resumed!.rowsBefore });
      const v = await runCliProcess(['verify', '--mycnf', cnf, '--hashfile', second]);
      expect(v.code, v.stdout + v.stderr).toBe(0);

      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    },
    180_000,
  );

  it('a resume of a resume: the table the first run finished stays finished, the part-copied one goes on where the first run left it', async () => {
    const j0 = tempHashfile();
    const common = [
      '--mycnf',
      cnf,
      '--chunk-size',
      '500',
      '--concurrency',
      '4',
      '--max-rows-per-second',
      '8000',
    ];
    // Run 0: one table aside at a time; killed once one table is done and the other has 10 chunks.
    let pid = 0;
    let fired = false;
    const watch = setInterval(() => {
      if (!pid || fired) return;
      let text = '';
      try {
        text = readFileSync(j0, 'utf8');
      } catch {
        return;
      }
      const done = [...text.matchAll(/"type":"table-done","id":(\d+)/g)].map((m) => Number(m[1]));
      if (done.length !== 1) return;
      if (acked(j0, done[0] === 1 ? 2 : 1) < 10) return;
      fired = true;
      process.kill(pid, 'SIGKILL');
    }, 10);
    const r0 = await runCliProcess(
      ['flush', ...common, '--db', S, '--max-tables-aside', '1', '--hashfile', j0],
      {
        onSpawn: (p) => (pid = p),
      },
    ).finally(() => clearInterval(watch));
    expect(r0.signal, r0.stdout + r0.stderr).toBe('SIGKILL');
    await waitStatementsDone(sb.replica);
    expect((await recover(j0)).code).toBe(0);

    // Run 1 resumes run 0 and dies before it sends a chunk (its twin for the table just built).
    const j1 = tempHashfile();
    const left = readJournal(j0).tables.find((t) => !readJournal(j0).done.has(t.id))!.table;
    const r1 = await runCliProcess(['flush', '--mycnf', cnf, '--resume', j0, '--hashfile', j1], {
      env: { BINLOG_FLUSHER_FAULT: `after-twin@${S}.${left}` },
    });
    expect(r1.signal, r1.stdout + r1.stderr).toBe('SIGKILL');
    expect((await recover(j1)).code).toBe(0);

    // Run 2 resumes run 1.
    const j2 = tempHashfile();
    const r2 = await runCliProcess(['flush', '--mycnf', cnf, '--resume', j1, '--hashfile', j2, '--json']);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    const report = JSON.parse(r2.stdout) as { tables: { table: string }[]; skipped: { table: string }[] };
    expect(report.tables.map((t) => t.table)).toEqual([left]);
    expect(report.skipped.map((t) => t.table)).toContain(left === 'by_int' ? 'by_uuid' : 'by_int');

    const events = await readBinlog(sb.replica, readJournal(j0).binlog.start!, readJournal(j2).binlog.end!);
    const byTable = rowsByTable(events);
    for (const table of ['by_int', 'by_uuid']) {
      const creates = events.filter(
        (e) => e.kind === 'query' && e.sql.startsWith(`CREATE TABLE ${q(S)}.${q(table)} (`),
      );
      expect(creates.length, `${table}: CREATE TABLE over the three runs`).toBe(1);
      const printed = [...byTable.keys()].find((p) => sameTable(p, `${q(S)}.${q(table)}`));
      const got = printed ? byTable.get(printed)! : [];
      expect(got.length, `${table}: rows over the three runs`).toBe(N);
      expect(new Set(got.map((r) => JSON.stringify(r))).size, `${table}: distinct rows`).toBe(N);
    }
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  }, 180_000);
});
