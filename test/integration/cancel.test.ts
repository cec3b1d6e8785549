/**
 * Issue 17, findings 1-3: what a cancelled run wrote is what it reports. A cancel while paused, or
 * under a rate cap, sends no chunk after it; a table some of whose rows reached the binlog is
 * reported, journaled and listed in the manifest as partial, with exactly the rows the binlog holds
 * (read back with the server's own binlog reader), and `verify` agrees. While paused, no table is
 * set aside.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../../src/model/log.js';
import { manifestPath, type Manifest } from '../../src/journal/manifest.js';
import { readJournal } from '../../src/journal/journal.js';
import type { RunReport } from '../../src/engine/report.js';
import type { FlushSettings } from '../../src/model/settings.js';
import { DEFAULTS } from '../../src/model/settings.js';
import { verify } from '../../src/verify/verify.js';
import { readBinlog, rowsByTable, sameTable } from '../support/binlog.js';
import { rows, settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush, runRecover, tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';
import { waitFor, waitUntil } from '../support/process.js';

const sb = inject('sandbox')!;
const S = 'bf_cancel';
/** id-keyed tables are cut into ranges (any worker); `c`'s text key is copied by one keyset lane. */
const SIZES: Record<string, number> = { a: 12_000, b: 8_000, c: 6_000 };

const controls = (over: Partial<NonNullable<FlushSettings['controls']>>) => ({
  brakeStatus: DEFAULTS.brakeStatus,
  statusInterval: 0,
  ...over,
});

function settings(over: Partial<FlushSettings>): FlushSettings {
  return flushSettings(sb.replica, {
    selection: { databases: [S], tables: [], skip: [] },
    chunkSize: 500,
    concurrency: 2,
    ...over,
  });
}

/**
 * Per table of the schema whose CREATE TABLE or rows are between the run's coordinates, its row
 * events there, as the server's reader prints them.
 */
async function binlogRows(r: RunReport): Promise<Record<string, number>> {
  const events = await readBinlog(sb.replica, r.binlog!.start, r.binlog!.end!);
  const out: Record<string, number> = {};
  for (const e of events) {
    const t = Object.keys(SIZES).find(
      (n) => e.kind === 'query' && e.sql.startsWith(`CREATE TABLE \`${S}\`.\`${n}\` (`),
    );
    if (t) out[t] = 0;
  }
  for (const [printed, list] of rowsByTable(events)) {
    const t = Object.keys(SIZES).find((n) => sameTable(printed, `\`${S}\`.\`${n}\``));
    expect(t, `rows of ${printed} in the run's range`).toBeDefined();
    out[t!] = list.length;
  }
  return out;
}

/** The binlog, the result, the journal, the manifest and verify all tell the same rows per table. */
async function sameAccount(r: RunReport, hashfile: string): Promise<Record<string, number>> {
  const inBinlog = await binlogRows(r);
  const reported = Object.fromEntries(
    r.tables.filter((t) => t.status === 'flushed' || t.partial).map((t) => [t.table, t.rows]),
  );
  expect(reported, 'the result').toEqual(inBinlog);
  for (const t of r.tables.filter((x) => x.partial)) expect(t.partial, t.table).toEqual({});
  const j = readJournal(hashfile);
  const journaled = Object.fromEntries(
    [...j.flushed, ...j.partial].map(([id, f]) => [j.tables.find((t) => t.id === id)!.table, f.rows]),
  );
  expect(journaled, 'the journal').toEqual(inBinlog);
  const m = JSON.parse(readFileSync(manifestPath(hashfile), 'utf8')) as Manifest;
  expect(Object.fromEntries(m.tables.map((t) => [t.table, t.rows])), 'the manifest').toEqual(inBinlog);
  for (const t of m.tables.filter((x) => x.partial)) expect(t.rowsAre, t.table).toBe('exact');
  const v = await verify({ connection: settingsFor(sb.replica), hashfile, timeout: 60 }, memoryLogger());
  expect(v.foreign, 'verify: nothing else in the range').toEqual([]);
  expect(Object.fromEntries(v.tables.map((t) => [t.table, t.found])), 'verify').toEqual(inBinlog);
  expect(v.tables.flatMap((t) => t.problems)).toEqual([]);
  for (const t of v.tables.filter((x) => x.partial)) expect(t.values?.why, t.table).toMatch(/^partial: /);
  return inBinlog;
}

/**
 * The flush, or, when it has not ended after `ms`, a failure that shows where it stands: its log and
 * the replica's sessions (CI 3 of this change saw one such run on MariaDB 11.8 stay after its cancel).
 */
async function flushOrDiagnose(
  s: FlushSettings,
  deps: Parameters<typeof runFlush>[1],
  log = memoryLogger(),
  ms = 90_000,
): Promise<Awaited<ReturnType<typeof runFlush>>> {
  const run = runFlush(s, { ...deps, log });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const first = await Promise.race([run, late]);
  clearTimeout(timer);
  // Its log is this one (the flush wrote to the logger given to it).
  if (first !== 'late') return { report: first.report, log };
  const sessions = await withSql(sb.replica, (c) =>
    rows<Record<string, unknown>>(
      c,
      'SELECT ID, COMMAND, TIME, STATE, LEFT(INFO, 120) AS INFO FROM information_schema.PROCESSLIST',
    ),
  );
  throw new Error(
    `the flush has not ended ${ms / 1000} s after it started\n--- its log\n${log.lines.join('\n')}\n--- the replica's sessions\n${sessions.map((x) => JSON.stringify(x)).join('\n')}`,
  );
}

/** Chunks the run acknowledged so far, from its debug log. */
const chunksDone = (lines: string[]) =>
  lines.filter((l) => /^debug: table \d+: chunk \d+ done/.test(l)).length;

/** Workers that took up a table's prepare, from the debug log: each is in the pause gate from then on. */
const preparing = (lines: string[]) =>
  new Set(lines.map((l) => /^debug: worker (\d+): table \d+: prepare$/.exec(l)?.[1]).filter(Boolean)).size;

describe('a cancel: no chunk after it, and what was written is what is reported', () => {
  let before: unknown;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const fill = (t: string, n: number, key: (i: number) => string) =>
      `INSERT INTO ${S}.${t} VALUES ${Array.from({ length: n }, (_, i) => `(${key(i + 1)}, REPEAT('x', 40))`).join(',')};`;
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
        CREATE TABLE ${S}.a (id INT PRIMARY KEY, pad VARCHAR(40));
        CREATE TABLE ${S}.b (id INT PRIMARY KEY, pad VARCHAR(40));
        CREATE TABLE ${S}.c (code VARCHAR(12) PRIMARY KEY, pad VARCHAR(40));
        ${fill('a', SIZES.a!, String)} ${fill('b', SIZES.b!, String)} ${fill('c', SIZES.c!, (i) => `'k${i}'`)}`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    await withSql(sb.replica, (c) => c.query(`ANALYZE LOCAL TABLE ${S}.a, ${S}.b, ${S}.c`));
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
  }, 120_000);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  const intact = async () => {
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  };

  it('while paused from the start: no table is set aside, the cancel sends nothing, nothing is reported', async () => {
    const pause = `${tempHashfile()}.pause`;
    writeFileSync(pause, '');
    const ac = new AbortController();
    const log = memoryLogger();
    const s = settings({ controls: controls({ pauseFile: pause }) });
    const run = runFlush(s, { log, signal: ac.signal });
    await waitUntil(
      'the run to say it is paused',
      () => log.lines.some((l) => l.includes('paused:')),
      30_000,
      () => log.lines.join('\n'),
    );
    // Both workers hold a table's prepare in the pause gate: none can set a table aside now.
    await waitUntil(
      'both workers in the pause gate',
      () => preparing(log.lines) === 2,
      30_000,
      () => log.lines.join('\n'),
    );
    // Paused: every table still under its own name, as it was, to the replica's readers.
    const aside = await withSql(sb.replica, (c) =>
      rows<{ n: string }>(
        c,
        `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND ENGINE = 'BLACKHOLE'`,
        [S],
      ),
    );
    expect(aside).toEqual([]);
    ac.abort();
    const { report } = await run;
    rmSync(pause, { force: true });
    expect(report.cancelled).toBe(true);
    expect(log.lines.filter((l) => l.includes('resumed'))).toEqual([]);
    expect(report.tables.map((t) => [t.table, t.status, t.rows])).toEqual([
      ['a', 'cancelled', 0],
      ['b', 'cancelled', 0],
      ['c', 'cancelled', 0],
    ]);
    expect(await sameAccount(report, s.hashfile!)).toEqual({});
    await intact();
  }, 120_000);

  it('under a rate cap: the cancel stops the copy at once; the partial tables carry the rows the binlog holds', async () => {
    const ac = new AbortController();
    const s = settings({ controls: controls({ maxRowsPerSecond: 4000 }) });
    const running = memoryLogger();
    // The cancel comes once 4 chunks are copied (2,000 rows: half a second at the cap).
    let copied = false;
    void waitFor(() => chunksDone(running.lines) >= 4, 60_000).then((ok) => {
      copied = ok;
      ac.abort();
    });
    const { report, log } = await flushOrDiagnose(s, { signal: ac.signal }, running);
    expect(copied, 'the cancel came once 4 chunks were copied').toBe(true);
    expect(report.cancelled, log.lines.join('\n')).toBe(true);
    const written = await sameAccount(report, s.hashfile!);
    const total = Object.values(written).reduce((a, n) => a + n, 0);
    // 4 chunks, and the chunks in flight (2 workers x 500 rows); far from 26,000.
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(12_000);
    expect(report.tables.filter((t) => t.partial).length).toBeGreaterThan(0);
    expect(report.tables.every((t) => t.status !== 'flushed' || t.rows === SIZES[t.table])).toBe(true);
    await intact();
  }, 120_000);

  it('paused mid-copy, then cancelled: nothing is copied after the pause, and the account is exact', async () => {
    const pause = `${tempHashfile()}.pause`;
    const ac = new AbortController();
    // A status line a second: the run's own account of the pause, and of the rows so far.
    const s = settings({
      controls: controls({ pauseFile: pause, maxRowsPerSecond: 20_000, statusInterval: 1 }),
    });
    const lines: string[] = [];
    // The cancel comes once two status lines in a row say paused, with the same rows: a second went
    // by with the pause holding and not one chunk copied.
    const heldFor = () => {
      const held = lines.filter((l) => / paused for \d/.test(l)).map((l) => / rows ([^ ]+)/.exec(l)?.[1]);
      return held.length >= 2 && held.at(-1) === held.at(-2);
    };
    let paused = false;
    let held = false;
    const { report, log } = await flushOrDiagnose(s, {
      signal: ac.signal,
      status: { line: (text) => lines.push(text) },
      fault: (point) => {
        if (point !== 'mid-copy' || paused) return;
        paused = true;
        writeFileSync(pause, '');
        void waitFor(heldFor, 60_000).then((ok) => {
          held = ok;
          ac.abort();
        });
      },
    });
    rmSync(pause, { force: true });
    expect(existsSync(pause)).toBe(false);
    expect(held, `the pause held over two status lines:\n${lines.join('\n')}`).toBe(true);
    expect(report.cancelled, log.lines.join('\n')).toBe(true);
    expect(log.lines.filter((l) => l.includes('resumed'))).toEqual([]);
    const written = await sameAccount(report, s.hashfile!);
    const total = Object.values(written).reduce((a, n) => a + n, 0);
    // The pause came after the first chunk of one table: at most the chunks then in flight followed.
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(4 * 500);
    await intact();
  }, 120_000);

  it('the brake cannot read its status (the control session is killed mid-copy): the run ends, nothing hangs, every table comes back', async () => {
    const s = settings({
      controls: controls({ brakeStatus: 'Threads_running', brakeLimit: 1_000_000, maxRowsPerSecond: 8000 }),
    });
    let killed = 0;
    const { report, log } = await flushOrDiagnose(s, {
      fault: async (point) => {
        if (point !== 'mid-copy' || killed) return;
        killed = -1;
        await withSql(sb.replica, async (c) => {
          const [r] = await rows<{ id: number }>(c, "SELECT IS_USED_LOCK('binlog-flusher') AS id");
          killed = Number(r!.id);
          await c.query(`KILL CONNECTION ${killed}`);
        });
      },
    });
    const text = log.lines.join('\n');
    expect(killed, text).toBeGreaterThan(0);
    expect(report.status, text).not.toBe('flushed');
    // With its control session gone the run could not put read_only back: it says so, and recover
    // (which the journal lets finish what the run could not) does it.
    const readOnly = async () =>
      Number(
        (await withSql(sb.replica, (c) => rows<{ r: number }>(c, 'SELECT @@GLOBAL.read_only AS r')))[0]!.r,
      );
    if ((await readOnly()) === 1) expect(text).toMatch(/could not put read_only back to OFF.*recover/);
    const r = await runRecover(sb.replica, s.hashfile!);
    expect(r.report.status, r.log.lines.join('\n')).toBe('recovered');
    expect(await readOnly()).toBe(0);
    await intact();
  }, 120_000);
});
