/**
 * The scenario sweep, gh-ost style: every folder of test/scenarios is one case, with its `create.sql`
 * (run on the primary in a schema of its own, sc_<name>) and its `expect`:
 *
 *   flushed                   every base table flushed exactly (the default)
 *   refused: <regex>          preflight refuses the run with this reason, nothing changes
 *   skip <table>: <regex>     this object is left alone with this reason
 *   chunk-size: <n>           rows per chunk for the run (default 3)
 *   chunks: <n>               the table (the scenario's only one) is copied in exactly n chunks that
 *                             carry rows (a keyset copy may end with one empty statement)
 *
 * A flushed case holds only when: every table is identical afterwards (rows, definition, triggers,
 * referencing foreign keys), every row is in the binlog exactly once under its real name after its
 * CREATE TABLE and nothing else is, no chunk of a keyed table is larger than the chunk size, and
 * nothing of ours is left. Adding a case is adding a folder. The SQL is MariaDB's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { PreflightError } from '../../src/errors.js';
import { readJournal } from '../../src/journal/journal.js';
import { binlogProblems, readBinlog } from '../support/binlog.js';
import { q, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const DIR = join(import.meta.dirname, '..', 'scenarios');

interface Expect {
  refused?: RegExp;
  skip: Map<string, RegExp>;
  chunkSize: number;
  chunks?: number;
}

export function parseExpect(text: string, where: string): Expect {
  const e: Expect = { skip: new Map(), chunkSize: 3 };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '' || line === 'flushed') continue;
    else if ((m = /^refused:\s*(.+)$/.exec(line))) e.refused = new RegExp(m[1]!);
    else if ((m = /^skip (.+?):\s*(.+)$/.exec(line))) e.skip.set(m[1]!, new RegExp(m[2]!));
    else if ((m = /^chunk-size:\s*(\d+)$/.exec(line))) e.chunkSize = Number(m[1]);
    else if ((m = /^chunks:\s*(\d+)$/.exec(line))) e.chunks = Number(m[1]);
    else throw new Error(`${where}: cannot read the expect line ${JSON.stringify(line)}`);
  }
  return e;
}

const scenarios = readdirSync(DIR)
  .sort()
  .map((name) => ({
    name,
    schema: `sc_${name.replaceAll('-', '_')}`,
    sql: readFileSync(join(DIR, name, 'create.sql'), 'utf8'),
    expect: parseExpect(readFileSync(join(DIR, name, 'expect'), 'utf8'), `test/scenarios/${name}/expect`),
  }));

/** Rows per chunk of each table, from the journal's cumulative chunk records. */
function chunkSizes(hashfile: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let last = new Map<number, number>();
  for (const line of readFileSync(hashfile, 'utf8').split('\n')) {
    if (!line.includes('"type":"chunk"')) continue;
    const r = JSON.parse(line) as { id: number; rows: number };
    out.set(r.id, [...(out.get(r.id) ?? []), r.rows - (last.get(r.id) ?? 0)]);
    last = new Map(last).set(r.id, r.rows);
  }
  return out;
}

describe.skipIf(sb.flavour !== 'mariadb' || !sb.replica.datadir)(
  `scenarios: ${scenarios.length} table kinds (MariaDB SQL, local sandbox: the binlog is read from its files)`,
  () => {
    beforeAll(async () => {
      await startReplica(sb.replica).catch(() => undefined);
      for (const s of scenarios) {
        // A connection each: a scenario may change its session (sql_mode).
        await withSql(sb.primary, (c) =>
          c.query(
            `DROP DATABASE IF EXISTS ${q(s.schema)}; DROP DATABASE IF EXISTS ${q(`${s.schema}_x`)};
             CREATE DATABASE ${q(s.schema)}; USE ${q(s.schema)};\n${s.sql}`,
          ),
        ).catch((e: unknown) => {
          throw new Error(`test/scenarios/${s.name}/create.sql: ${(e as Error).message}`);
        });
      }
      await waitCaughtUp(sb.primary, sb.replica);
    }, 300_000);

    it('has at least 80 scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(80));

    it.each(scenarios)('$name', async (s) => {
      const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, s.schema));
      const before = await snap();
      const settings = flushSettings(sb.replica, {
        selection: { databases: [s.schema], tables: [], skip: [] },
        chunkSize: s.expect.chunkSize,
        concurrency: 2,
      });
      if (s.expect.refused) {
        await expect(runFlush(settings)).rejects.toThrow(PreflightError);
        await expect(runFlush(settings)).rejects.toThrow(s.expect.refused);
        expect(await snap()).toEqual(before);
        return;
      }
      const { report, log } = await runFlush(settings);
      const why = log.lines.join('\n');
      expect(report.status, why).toBe('flushed');
      expect(
        report.tables
          .filter((t) => t.status !== 'flushed')
          .map((t) => `${t.table}: ${t.status} ${t.error ?? ''}`),
      ).toEqual([]);
      // What is left alone, and why.
      const skipped = new Map(
        report.skipped.filter((k) => k.schema === s.schema).map((k) => [k.table, k.reason]),
      );
      expect([...skipped.keys()].sort()).toEqual([...s.expect.skip.keys()].sort());
      for (const [table, re] of s.expect.skip) expect(skipped.get(table)).toMatch(re);
      // Identical, nothing of ours left.
      expect(await snap()).toEqual(before);
      expect((await withSql(sb.replica, leftovers)).filter((l) => l.startsWith(`${s.schema}.`))).toEqual([]);
      // The binlog: exactly the DDL and the rows.
      const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
      const problems = binlogProblems(
        events,
        report.tables.map((t) => ({
          name: `${q(t.schema)}.${q(t.table)}`,
          rows: before.tables[t.table]!.count,
          distinct: !t.chunking.startsWith('whole'),
        })),
      );
      expect(problems).toEqual([]);
      // Every binlog transaction of a keyed table is within the chunk size; exact counts where asked.
      const sizes = chunkSizes(settings.hashfile!);
      const j = readJournal(settings.hashfile!);
      for (const t of report.tables) {
        const id = j.tables.find((x) => x.schema === t.schema && x.table === t.table)!.id;
        if (t.chunking.startsWith('keyset')) {
          expect(Math.max(0, ...(sizes.get(id) ?? [])), `${t.table} chunk sizes`).toBeLessThanOrEqual(
            s.expect.chunkSize,
          );
        }
      }
      if (s.expect.chunks !== undefined) {
        expect(report.tables.length).toBe(1);
        const id = j.tables[0]!.id;
        expect((sizes.get(id) ?? []).filter((n) => n > 0).length, 'chunks that carry rows').toBe(
          s.expect.chunks,
        );
      }
    });

    it('one run over every scenario schema at once flushes them all: no table fails mid-run', async () => {
      const schemas = scenarios.filter((s) => !s.expect.refused).map((s) => s.schema);
      const before = await withSql(sb.replica, (c) => Promise.all(schemas.map((x) => snapshotSchema(c, x))));
      const { report, log } = await runFlush(
        flushSettings(sb.replica, {
          selection: { databases: schemas, tables: [], skip: [] },
          concurrency: 4,
        }),
      );
      expect(report.status, log.lines.join('\n')).toBe('flushed');
      expect(report.tables.length).toBeGreaterThan(100);
      expect(await withSql(sb.replica, (c) => Promise.all(schemas.map((x) => snapshotSchema(c, x))))).toEqual(
        before,
      );
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });
  },
);
