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
 *   flavours: <f>[, <f>]      only on these flavours (mysql, mariadb); every flavour when absent
 *   min-version: <x.y>        only from this server version on (with a single flavour)
 *   temporary <table>: <sql>  <sql> runs on the replica in a session held open over the flush; the
 *                             TEMPORARY <table> it makes is not flushed and still holds its rows
 *   row-metadata: <value>     binlog_row_metadata for this case (the sweep runs with FULL)
 *
 * A case that does not apply to the sandbox's flavour or version is a visible skip, with the reason.
 *
 * A flushed case holds only when: every table is identical afterwards (rows, definition, triggers,
 * referencing foreign keys), every row is in the binlog exactly once under its real name after its
 * CREATE TABLE and nothing else is, no chunk of a keyed table is larger than the chunk size, nothing
 * of ours is left, and each table's row events are those the real table would log: the same rows
 * written into a real copy of the table (CREATE TABLE ... LIKE) log the same values, type notes and
 * table maps, read with the server's own reader and with zongji, with binlog_row_metadata=FULL for the
 * whole sweep (see test/support/real-copy.ts). Adding a case is adding a folder.
 *
 * The SQL is the flavour's. MariaDB's sequence tables (`seq_1_to_20`) work on MySQL too: there the
 * runner fills real tables of that name (column `seq`) in a schema of its own on the primary, outside
 * the binlog, and points the scenario's SQL at them, so nothing of them is in the scenario's schema.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PreflightError } from '../../src/model/errors.js';
import { readJournal } from '../../src/journal/journal.js';
import type { Flavour } from '../sandbox/types.js';
import { binlogProblems, readBinlog } from '../support/binlog.js';
import { otherReaderRows } from '../support/row-images.js';
import { q, rows, settingsFor, sql, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { memoryLogger } from '../../src/model/log.js';
import { verify } from '../../src/verify/verify.js';
import { flushSettings, runFlush } from '../support/flusher.js';
import { compareWithRealCopies } from '../support/real-copy.js';
import { engineLeftovers, leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox');
const DIR = join(import.meta.dirname, '..', 'scenarios');
/** Where the sequence tables live on a MySQL primary (never in the binlog). */
const SEQ_SCHEMA = 'bf_scenario_seq';

interface Expect {
  refused?: RegExp;
  skip: Map<string, RegExp>;
  chunkSize: number;
  chunks?: number;
  flavours?: Flavour[];
  minVersion?: [number, number];
  temporary: Map<string, string>;
  rowMetadata: 'FULL' | 'MINIMAL';
}

export function parseExpect(text: string, where: string): Expect {
  const e: Expect = { skip: new Map(), chunkSize: 3, temporary: new Map(), rowMetadata: 'FULL' };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '' || line === 'flushed') continue;
    else if ((m = /^refused:\s*(.+)$/.exec(line))) e.refused = new RegExp(m[1]!);
    else if ((m = /^skip (.+?):\s*(.+)$/.exec(line))) e.skip.set(m[1]!, new RegExp(m[2]!));
    else if ((m = /^chunk-size:\s*(\d+)$/.exec(line))) e.chunkSize = Number(m[1]);
    else if ((m = /^chunks:\s*(\d+)$/.exec(line))) e.chunks = Number(m[1]);
    else if ((m = /^flavours:\s*((?:mysql|mariadb)(?:\s*,\s*(?:mysql|mariadb))*)$/.exec(line)))
      e.flavours = m[1]!.split(',').map((f) => f.trim() as Flavour);
    else if ((m = /^min-version:\s*(\d+)\.(\d+)$/.exec(line))) e.minVersion = [Number(m[1]), Number(m[2])];
    else if ((m = /^temporary (\S+?):\s*(.+)$/.exec(line))) e.temporary.set(m[1]!, m[2]!);
    else if ((m = /^row-metadata:\s*(full|minimal)$/i.exec(line)))
      e.rowMetadata = m[1]!.toUpperCase() as Expect['rowMetadata'];
    else throw new Error(`${where}: cannot read the expect line ${JSON.stringify(line)}`);
  }
  if (e.minVersion && e.flavours?.length !== 1)
    throw new Error(`${where}: min-version needs a single flavour (flavours: mysql or flavours: mariadb)`);
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

/** The replica's version: scenarios apply by flavour and version. */
const version = sb
  ? await withSql(sb.replica, async (c) => {
      const [r] = await rows<{ v: string }>(c, 'SELECT @@version AS v');
      const m = /^(\d+)\.(\d+)/.exec(r!.v)!;
      return { text: r!.v, major: Number(m[1]), minor: Number(m[2]) };
    })
  : undefined;

/** Why a scenario does not apply here, or undefined when it does. */
function notHere(s: (typeof scenarios)[number]): string | undefined {
  if (!sb || !version) return 'no sandbox';
  const { flavours, minVersion } = s.expect;
  if (flavours && !flavours.includes(sb.flavour)) return `${flavours.join(', ')} only; this is ${sb.flavour}`;
  if (minVersion) {
    const [maj, min] = minVersion;
    if (version.major < maj || (version.major === maj && version.minor < min))
      return `needs ${sb.flavour} ${maj}.${min}+; this is ${version.text}`;
  }
  return undefined;
}

const here = scenarios.filter((s) => !notHere(s));

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

/** MySQL has no sequence engine: real tables of those names, filled outside the binlog. */
async function sequenceTables(c: mysql.Connection, text: string): Promise<string> {
  const names = new Set(text.match(/\bseq_\d+_to_\d+\b/g) ?? []);
  for (const n of names) {
    const [, lo, hi] = /^seq_(\d+)_to_(\d+)$/.exec(n)!;
    await c.query(
      `CREATE TABLE IF NOT EXISTS ${q(SEQ_SCHEMA)}.${q(n)} (seq BIGINT UNSIGNED PRIMARY KEY);
       INSERT IGNORE INTO ${q(SEQ_SCHEMA)}.${q(n)}
         WITH RECURSIVE r (n) AS (SELECT ${lo} UNION ALL SELECT n + 1 FROM r WHERE n < ${hi}) SELECT n FROM r`,
    );
  }
  return text.replace(/\bseq_(\d+)_to_(\d+)\b/g, `${q(SEQ_SCHEMA)}.\`seq_$1_to_$2\``);
}

async function createScenario(s: (typeof scenarios)[number]): Promise<void> {
  const c = await sql(sb!.primary); // a connection each: a scenario may change its session (sql_mode)
  try {
    let text = s.sql;
    if (sb!.flavour === 'mysql') {
      await c.query(
        `SET SESSION sql_log_bin = 0, SESSION cte_max_recursion_depth = 100000; CREATE DATABASE IF NOT EXISTS ${q(SEQ_SCHEMA)}`,
      );
      text = await sequenceTables(c, text);
      await c.query('SET SESSION sql_log_bin = 1');
    }
    await c.query(
      `DROP DATABASE IF EXISTS ${q(s.schema)}; DROP DATABASE IF EXISTS ${q(`${s.schema}_x`)};
       CREATE DATABASE ${q(s.schema)}; USE ${q(s.schema)};\n${text}`,
    );
  } catch (e) {
    throw new Error(`test/scenarios/${s.name}/create.sql: ${(e as Error).message}`);
  } finally {
    await c.end();
  }
}

async function setRowMetadata(value: string): Promise<void> {
  await withSql(sb!.replica, (c) => c.query('SET GLOBAL binlog_row_metadata = ?', [value]));
}

/** The scenario's TEMPORARY tables, made on the replica in sessions held open over the flush. */
async function holdTemporaries(s: (typeof scenarios)[number]) {
  const held: { table: string; c: mysql.Connection; rows: unknown }[] = [];
  for (const [table, text] of s.expect.temporary) {
    const c = await sql(sb!.replica);
    await c.query(`SET SESSION sql_log_bin = 0; USE ${q(s.schema)}; ${text}`);
    held.push({ table, c, rows: await rows(c, `SELECT * FROM ${q(table)} ORDER BY 1`) });
  }
  return held;
}

describe.skipIf(!sb)(
  `scenarios: ${here.length} of ${scenarios.length} table kinds apply to the ${sb?.flavour ?? 'no'} sandbox (${version?.text ?? ''}); the binlog is read over the replication protocol`,
  () => {
    let metadataBefore = '';
    beforeAll(async () => {
      await startReplica(sb!.replica).catch(() => undefined);
      if (sb!.flavour === 'mysql') {
        await withSql(sb!.primary, (c) =>
          c.query(`SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${q(SEQ_SCHEMA)}`),
        );
      }
      for (const s of here) await createScenario(s);
      await waitCaughtUp(sb!.primary, sb!.replica);
      await withSql(sb!.replica, async (c) => {
        const [r] = await rows<{ m: string }>(c, 'SELECT @@GLOBAL.binlog_row_metadata AS m');
        metadataBefore = r!.m;
      });
      await setRowMetadata('FULL');
    }, 600_000);
    afterAll(async () => {
      if (metadataBefore) await setRowMetadata(metadataBefore);
    });

    it('has at least 80 scenarios here, 40 of them MySQL kinds on MySQL', () => {
      expect(here.length).toBeGreaterThanOrEqual(80);
      if (sb!.flavour === 'mysql')
        expect(here.filter((s) => s.name.startsWith('my-')).length).toBeGreaterThanOrEqual(40);
    });

    for (const s of scenarios) {
      const why = notHere(s);
      it.skipIf(why !== undefined)(why ? `${s.name} (skipped: ${why})` : s.name, async () => {
        if (s.expect.rowMetadata === 'FULL') return runScenario(s);
        await setRowMetadata(s.expect.rowMetadata);
        try {
          await runScenario(s);
        } finally {
          await setRowMetadata('FULL');
        }
      });
    }

    it('one run over every scenario schema at once flushes them all (no table fails mid-run), and verify proves each by value', async () => {
      const schemas = here
        .filter((s) => !s.expect.refused && s.expect.rowMetadata === 'FULL')
        .map((s) => s.schema);
      const before = await withSql(sb!.replica, (c) => Promise.all(schemas.map((x) => snapshotSchema(c, x))));
      const settings = flushSettings(sb!.replica, {
        selection: { databases: schemas, tables: [], skip: [] },
        concurrency: 4,
      });
      const { report, log } = await runFlush(settings);
      expect(report.status, log.lines.join('\n')).toBe('flushed');
      expect(report.tables.length).toBeGreaterThan(100);
      expect(
        await withSql(sb!.replica, (c) => Promise.all(schemas.map((x) => snapshotSchema(c, x)))),
      ).toEqual(before);
      expect(await withSql(sb!.replica, leftovers)).toEqual([]);

      // verify proves every table of the run by value: the binlog's rows are the table's rows.
      const v = await verify(
        { connection: settingsFor(sb!.replica), hashfile: settings.hashfile!, timeout: 60 },
        memoryLogger(),
      );
      expect(v.tables.length).toBe(report.tables.length);
      expect(v.foreign).toEqual([]);
      const notProven = v.tables
        .filter((t) => t.problems.length || t.values?.by !== 'value' || !t.values.equal)
        .map((t) => `${t.schema}.${t.table}: ${[...t.problems, t.values?.why ?? ''].join('; ')}`);
      expect(notProven).toEqual([]);
      expect(v.status).toBe('verified');
    });
  },
);

async function runScenario(s: (typeof scenarios)[number]): Promise<void> {
  const replica = sb!.replica;
  const snap = () => withSql(replica, (c) => snapshotSchema(c, s.schema));
  const before = await snap();
  const settings = flushSettings(replica, {
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
  const held = await holdTemporaries(s);
  try {
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
    // A TEMPORARY table is nobody's but its session's: not flushed, its rows still there.
    for (const h of held) {
      expect(report.tables.map((t) => t.table)).not.toContain(h.table);
      expect(await rows(h.c, `SELECT * FROM ${q(h.table)} ORDER BY 1`)).toEqual(h.rows);
    }
    // Identical, nothing of ours left.
    expect(await snap()).toEqual(before);
    expect((await withSql(replica, leftovers)).filter((l) => l.startsWith(`${s.schema}.`))).toEqual([]);
    expect(await withSql(replica, (c) => engineLeftovers(c, s.schema))).toEqual([]);
    // The binlog: exactly the DDL and the rows.
    const range = { start: report.binlog!.start, end: report.binlog!.end! };
    const events = await readBinlog(replica, range.start, range.end);
    const problems = binlogProblems(
      events,
      report.tables.map((t) => ({
        name: `${q(t.schema)}.${q(t.table)}`,
        rows: before.tables[t.table]!.count,
        distinct: !t.chunking.startsWith('whole'),
      })),
      true,
      await otherReaderRows(sb!.replica, events, range),
    );
    expect(problems).toEqual([]);
    chunkChecks(s, settings.hashfile!, report.tables);
    // What a real copy of each table logs for the same rows: the same, column by column.
    const decodedBy = await compareWithRealCopies(
      replica,
      s.schema,
      report.tables.filter((t) => t.schema === s.schema).map((t) => t.table),
      range,
    );
    for (const [t, readers] of decodedBy)
      expect(readers, `${s.name}: ${t} decoded in full by a reader`).not.toEqual([]);
  } finally {
    for (const h of held) await h.c.end();
  }
}

/** Every binlog transaction of a keyed table is within the chunk size; exact counts where asked. */
function chunkChecks(
  s: (typeof scenarios)[number],
  hashfile: string,
  tables: { schema: string; table: string; chunking: string }[],
): void {
  const sizes = chunkSizes(hashfile);
  const j = readJournal(hashfile);
  for (const t of tables) {
    const id = j.tables.find((x) => x.schema === t.schema && x.table === t.table)!.id;
    if (/^(chunks of|one lane)/.test(t.chunking)) {
      expect(Math.max(0, ...(sizes.get(id) ?? [])), `${t.table} chunk sizes`).toBeLessThanOrEqual(
        s.expect.chunkSize,
      );
    }
  }
  if (s.expect.chunks !== undefined) {
    expect(tables.length).toBe(1);
    const id = j.tables[0]!.id;
    expect((sizes.get(id) ?? []).filter((n) => n > 0).length, 'chunks that carry rows').toBe(s.expect.chunks);
  }
}
