/**
 * npm run bench [-- --only 1,2,3,4,5,6,7] [--runs 3] [--chunk-sweep] [--sandbox local|mysql|mariadb-lts]
 *   [--cli path/to/dist/cli/index.js] [--before path/to/another/dist/cli/index.js] [--write]
 *
 * Side by side on one sandbox replica, on the same data:
 *  - the limit: the minimal SQL one session would send by hand (set aside, twin, one
 *    INSERT INTO twin SELECT per table, swap back, drop), timed from the client;
 *  - binlog-flusher flush with its defaults, as a user runs it: the CLI process, start to end.
 * Workloads: (1) one table of 1,000,000 rows, (2) 1,000 tables of 50 rows, (3) one table of
 * 10,000,000 rows, (4) one table of 4,000,000 rows, all on a BIGINT key; (5) 4,000,000 rows on a
 * BINARY(16) UUID key, (6) 1,000,000 rows on a case-insensitive VARCHAR key, (7) 1,000,000 rows on an
 * (INT, VARCHAR) key. Workloads 4 to 7 also give rows/s against the number of workers (1, 2, 4), and
 * 4 the load brake at work. With --before, each run also times that bundle (an earlier commit's
 * dist/cli/index.js) in the same alternation, and the table gives it and the ratio of the two. Prints
 * the results; with --write, writes docs/benchmarks/results.md
 * (results-<sandbox>.md for another sandbox than local).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { startSandbox } from '../test/sandbox/index.js';
import type { ServerInfo } from '../test/sandbox/types.js';
import { mycnfFor } from '../test/support/cli.js';
import { rows, sql } from '../test/support/db.js';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const RUNS = Number(arg('--runs', '3'));
const ONLY = arg('--only', '1,4,3,2,5,6,7').split(',').map(Number);
const SANDBOX = arg('--sandbox', process.env.BF_SANDBOX ?? 'local');
/** The CLI bundle timed (another build's dist/cli/index.js, to compare two versions on one machine). */
const CLI = arg('--cli', join(ROOT, 'dist/cli/index.js'));
/** Another bundle timed beside it in every run, for a before/after in one run (`--before`). */
const BEFORE = args.includes('--before') ? arg('--before', '') : undefined;

type KeyKind = 'bigint' | 'uuid' | 'varchar-ci' | 'int-varchar';

interface Workload {
  id: number;
  label: string;
  schema: string;
  tables: number;
  rowsPerTable: number;
  key: KeyKind;
}

const WORKLOADS: Workload[] = [
  {
    id: 1,
    label: '1 table x 1,000,000 rows',
    schema: 'bench_1m',
    tables: 1,
    rowsPerTable: 1_000_000,
    key: 'bigint',
  },
  {
    id: 2,
    label: '1,000 tables x 50 rows',
    schema: 'bench_1k',
    tables: 1000,
    rowsPerTable: 50,
    key: 'bigint',
  },
  {
    id: 3,
    label: '1 table x 10,000,000 rows',
    schema: 'bench_10m',
    tables: 1,
    rowsPerTable: 10_000_000,
    key: 'bigint',
  },
  {
    id: 4,
    label: '1 table x 4,000,000 rows',
    schema: 'bench_4m',
    tables: 1,
    rowsPerTable: 4_000_000,
    key: 'bigint',
  },
  {
    id: 5,
    label: '1 table x 4,000,000 rows, BINARY(16) UUID key',
    schema: 'bench_uuid',
    tables: 1,
    rowsPerTable: 4_000_000,
    key: 'uuid',
  },
  {
    id: 6,
    label: '1 table x 1,000,000 rows, VARCHAR(40) _ci key',
    schema: 'bench_vc',
    tables: 1,
    rowsPerTable: 1_000_000,
    key: 'varchar-ci',
  },
  {
    id: 7,
    label: '1 table x 1,000,000 rows, (INT, VARCHAR) key',
    schema: 'bench_cmp',
    tables: 1,
    rowsPerTable: 1_000_000,
    key: 'int-varchar',
  },
];

/** The key columns and their values from `n` (1..rows), per kind; the other columns are the same. */
const KEYS: Record<KeyKind, { cols: string; pk: string; values: (n: string) => string }> = {
  bigint: { cols: 'id BIGINT NOT NULL', pk: 'id', values: (n) => n },
  uuid: { cols: 'id BINARY(16) NOT NULL', pk: 'id', values: (n) => `UNHEX(LEFT(SHA2(${n}, 256), 32))` },
  'varchar-ci': {
    cols: 'k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL',
    pk: 'k',
    values: (n) => `CONCAT(IF(${n} % 2, 'User-', 'user-'), LEFT(SHA2(${n}, 256), 8), '-', ${n})`,
  },
  'int-varchar': {
    cols: 'g INT NOT NULL, s VARCHAR(20) NOT NULL',
    pk: 'g, s',
    values: (n) => `${n} % 1000, CONCAT('k', ${n})`,
  },
};

const TABLE_DDL = (name: string, key: KeyKind) =>
  `CREATE TABLE ${name} (${KEYS[key].cols}, customer INT NOT NULL, amount DECIMAL(12,2) NOT NULL, ` +
  `created DATETIME(6) NOT NULL, note VARCHAR(24) NOT NULL, PRIMARY KEY (${KEYS[key].pk})) ENGINE=InnoDB`;

/** 1..n as a derived table, on either flavour (MariaDB's sequence engine, else a cross join). */
const numbers = (maria: boolean, n: number) =>
  maria
    ? `SELECT seq FROM seq_1_to_${n}`
    : `SELECT a.i * 1000 + b.i + 1 AS seq FROM bench_digits.k a CROSS JOIN bench_digits.k b WHERE a.i * 1000 + b.i < ${n}`;

/** Rows of about 60 bytes in the binlog each. */
async function load(c: mysql.Connection, w: Workload, maria: boolean): Promise<void> {
  await c.query(
    `SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${w.schema}; CREATE DATABASE ${w.schema}; USE ${w.schema}`,
  );
  if (!maria)
    await c.query(`SET SESSION sql_log_bin = 0; SET SESSION cte_max_recursion_depth = 10000;
      CREATE DATABASE IF NOT EXISTS bench_digits; CREATE TABLE IF NOT EXISTS bench_digits.k (i INT PRIMARY KEY);
      INSERT IGNORE INTO bench_digits.k WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 999) SELECT i FROM s`);
  for (let t = 1; t <= w.tables; t++) {
    const name = `${w.schema}.t${t}`;
    await c.query(`SET SESSION sql_log_bin = 0; ${TABLE_DDL(name, w.key)}`);
    const step = 1_000_000;
    for (let from = 0; from < w.rowsPerTable; from += step) {
      const n = Math.min(step, w.rowsPerTable - from);
      const v = `(${from} + seq)`;
      await c.query(
        `SET SESSION sql_log_bin = 0; INSERT INTO ${name} SELECT ${KEYS[w.key].values(v)}, seq % 9973, (seq % 100000) / 100, ` +
          `'2024-01-01 00:00:00' + INTERVAL seq SECOND, CONCAT('note-', seq) FROM (${numbers(maria, n)}) nums`,
      );
    }
  }
  await c.query(
    `ANALYZE TABLE ${Array.from({ length: Math.min(w.tables, 50) }, (_, i) => `${w.schema}.t${i + 1}`).join(', ')}`,
  );
}

/** The hand-written single session. */
async function limit(replica: ServerInfo, w: Workload): Promise<number> {
  const c = await sql(replica);
  try {
    await c.query(
      replica.flavour === 'mariadb'
        ? "SET SESSION binlog_format = 'ROW', SESSION binlog_annotate_row_events = 0"
        : "SET SESSION binlog_format = 'ROW', SESSION binlog_rows_query_log_events = 0",
    );
    const started = process.hrtime.bigint();
    for (let t = 1; t <= w.tables; t++) {
      const s = w.schema;
      await c.query('SET SESSION sql_log_bin = 0');
      await c.query(`RENAME TABLE ${s}.t${t} TO ${s}.bk${t}`);
      await c.query(`CREATE TABLE ${s}.t${t} LIKE ${s}.bk${t}`);
      await c.query(`ALTER TABLE ${s}.t${t} ENGINE=BLACKHOLE`);
      await c.query('SET SESSION sql_log_bin = 1');
      await c.query(`INSERT INTO ${s}.t${t} SELECT * FROM ${s}.bk${t}`);
      await c.query('SET SESSION sql_log_bin = 0');
      await c.query(`RENAME TABLE ${s}.t${t} TO ${s}.tw${t}, ${s}.bk${t} TO ${s}.t${t}`);
      await c.query(`DROP TABLE ${s}.tw${t}`);
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await c.end();
  }
}

/** The CLI process, start to end, with its peak RSS (VmHWM) read from /proc while it runs. */
async function flusher(
  replica: ServerInfo,
  w: Workload,
  extra: string[] = [],
  cli = CLI,
): Promise<{ seconds: number; rssMb: number; rows: number; firstChunkMs: number; brakeMs: number }> {
  const cnf = mycnfFor(replica);
  const hashfile = join(mkdtempSync(join(tmpdir(), 'bf-bench-')), 'j.hashfile');
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [cli, 'flush', '--mycnf', cnf, '--db', w.schema, '--hashfile', hashfile, '--json', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let hwm = 0;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]));
    } catch {
      // exited
    }
  }, 20);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`flush failed (${code}): ${err.slice(-2000)}`);
  const report = JSON.parse(out) as {
    tables: { rows: number }[];
    copy?: { firstChunkMs?: number; waitedMs: { brake: number } };
  };
  return {
    seconds,
    rssMb: hwm / 1024,
    rows: report.tables.reduce((a, t) => a + t.rows, 0),
    firstChunkMs: report.copy?.firstChunkMs ?? NaN,
    brakeMs: report.copy?.waitedMs.brake ?? 0,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function purge(c: mysql.Connection): Promise<void> {
  await c.query('FLUSH BINARY LOGS');
  const [last] = await rows<{ Log_name: string }>(c, 'SHOW BINARY LOGS').then((r) => r.slice(-1));
  await c.query(`PURGE BINARY LOGS TO '${last!.Log_name}'`);
}

interface Result {
  w: Workload;
  limit: number[];
  ours: number[];
  /** The `--before` bundle's times, where one was given. */
  before: number[];
  rss: number[];
  firstChunk: number[];
  rows: number;
}

type Sweep = { workers: number; seconds: number; rowsPerSecond: number }[];

interface Extra {
  /** rows/s on workloads 4 to 7 against --concurrency (median of the runs). */
  workers?: { w: Workload; sweep: Sweep }[];
  brake?: BrakeDemo;
}

async function workerSweep(c: mysql.Connection, replica: ServerInfo, w: Workload): Promise<Sweep> {
  const out: Sweep = [];
  for (const n of [1, 2, 4]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await purge(c);
      times.push((await flusher(replica, w, ['--concurrency', String(n)])).seconds);
    }
    const seconds = median(times);
    out.push({ workers: n, seconds, rowsPerSecond: Math.round((w.rowsPerTable * w.tables) / seconds) });
    process.stderr.write(`  ${n} worker(s): ${seconds.toFixed(2)}s\n`);
  }
  return out;
}

interface BrakeDemo {
  limit: number;
  loadSessions: number;
  loadSeconds: number;
  /** Threads_running and our copy statements running, sampled every 20 ms. */
  samples: { at: number; threads: number; ours: number }[];
  brakeMs: number;
}

/**
 * The brake at work: --max-load Threads_running=LIMIT; 1.5 s into the run, LIMIT + 2 other sessions
 * sleep for 3 s, which alone puts the status over the limit. No new chunk of ours may start then.
 */
async function brakeDemo(c: mysql.Connection, replica: ServerInfo, w: Workload): Promise<BrakeDemo> {
  const limit = 8;
  const loadSessions = limit + 2;
  const loadSeconds = 3;
  await purge(c);
  const monitor = await sql(replica);
  const samples: BrakeDemo['samples'] = [];
  const t0 = Date.now();
  let done = false;
  const sampling = (async () => {
    while (!done) {
      const [r] = await rows<{ t: number; o: number }>(
        monitor,
        `SELECT (SELECT VARIABLE_VALUE FROM ${replica.flavour === 'mariadb' ? 'information_schema' : 'performance_schema'}.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_RUNNING') AS t, ` +
          `(SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO \`${w.schema}\`%') AS o`,
      );
      samples.push({ at: Date.now() - t0, threads: Number(r!.t), ours: Number(r!.o) });
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  const load = (async () => {
    await new Promise((res) => setTimeout(res, 1500));
    const conns = await Promise.all(Array.from({ length: loadSessions }, () => sql(replica)));
    await Promise.all(conns.map((x) => x.query(`SELECT SLEEP(${loadSeconds})`)));
    await Promise.all(conns.map((x) => x.end()));
  })();
  const f = await flusher(replica, w, ['--max-load', `Threads_running=${limit}`, '--chunk-size', '50000']);
  await load;
  done = true;
  await sampling;
  await monitor.end();
  return { limit, loadSessions, loadSeconds, samples, brakeMs: f.brakeMs };
}

async function main(): Promise<void> {
  const sb = await startSandbox(SANDBOX);
  const maria = sb.info.replica.flavour === 'mariadb';
  const results: Result[] = [];
  const sweep: { chunk: number; seconds: number }[] = [];
  const extra: Extra = {};
  try {
    const { replica } = sb.info;
    const c = await sql(replica);
    let version = '';
    try {
      await c.query(maria ? 'STOP SLAVE' : 'STOP REPLICA');
      version = (await rows<{ v: string }>(c, 'SELECT @@version AS v'))[0]!.v;
      for (const w of WORKLOADS.filter((x) => ONLY.includes(x.id))) {
        process.stderr.write(`loading ${w.label}...\n`);
        await load(c, w, maria);
        const r: Result = { w, limit: [], ours: [], before: [], rss: [], firstChunk: [], rows: 0 };
        // One untimed pass of each side first: right after the bulk load InnoDB is still purging and
        // flushing, which slowed whichever side ran first by up to 50% (seen in earlier runs).
        await purge(c);
        await limit(replica, w);
        await purge(c);
        await flusher(replica, w);
        if (BEFORE) {
          await purge(c);
          await flusher(replica, w, [], BEFORE);
        }
        for (let i = 0; i < RUNS; i++) {
          // Alternate the order so neither side always runs on a warmer cache.
          const sides = BEFORE ? ['limit', 'before', 'ours'] : ['limit', 'ours'];
          const order = i % 2 === 0 ? sides : [...sides].reverse();
          for (const which of order) {
            await purge(c);
            if (which === 'limit') r.limit.push(await limit(replica, w));
            else if (which === 'before') r.before.push((await flusher(replica, w, [], BEFORE)).seconds);
            else {
              const f = await flusher(replica, w);
              r.ours.push(f.seconds);
              r.rss.push(f.rssMb);
              r.firstChunk.push(f.firstChunkMs);
              r.rows = f.rows;
            }
            process.stderr.write(
              `  ${w.label} run ${i + 1} ${which}: ${r[which as 'limit' | 'before' | 'ours'].at(-1)!.toFixed(2)}s\n`,
            );
          }
        }
        results.push(r);
        if (args.includes('--chunk-sweep') && w.id === 1) {
          for (const chunk of [1000, 5000, 20000, 50000, 200000]) {
            const times: number[] = [];
            for (let i = 0; i < RUNS; i++) {
              await purge(c);
              times.push((await flusher(replica, w, ['--chunk-size', String(chunk)])).seconds);
            }
            sweep.push({ chunk, seconds: median(times) });
            process.stderr.write(`  chunk ${chunk}: ${median(times).toFixed(2)}s\n`);
          }
        }
        if (w.id >= 4) (extra.workers ??= []).push({ w, sweep: await workerSweep(c, replica, w) });
        if (w.id === 4) extra.brake = await brakeDemo(c, replica, w);
        await c.query(`SET SESSION sql_log_bin = 0; DROP DATABASE ${w.schema}`);
        await purge(c);
      }
    } finally {
      await c.end();
    }
    const md = render(results, sweep, version, extra);
    console.log(md);
    if (args.includes('--write')) {
      const file = SANDBOX === 'local' ? 'results.md' : `results-${SANDBOX}.md`;
      writeFileSync(join(ROOT, 'docs', 'benchmarks', file), md);
    }
  } finally {
    await sb.stop();
  }
}

function render(
  results: Result[],
  sweep: { chunk: number; seconds: number }[],
  version: string,
  extra: Extra,
): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Benchmarks',
    '',
    `Measured with \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpu}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, server ${version} (the local sandbox replica: ` +
      'innodb_flush_log_at_trx_commit=2, sync_binlog=0, 256 MiB buffer pool). One untimed warm-up pass of each side, then the median of the runs; the two sides alternate order.',
    '',
    ...(BEFORE ? [...renderBefore(results), ''] : []),
    '| workload | the limit (one session, by hand) | binlog-flusher flush (CLI, defaults) | ratio | rows/s (flusher) | client peak RSS | start to first chunk | runs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const l = median(r.limit);
    const o = median(r.ours);
    lines.push(
      `| ${r.w.label} | ${l.toFixed(2)} s | ${o.toFixed(2)} s | ${(o / l).toFixed(2)}x | ${Math.round(r.rows / o).toLocaleString('en-US')} | ${Math.max(...r.rss).toFixed(0)} MB | ${median(r.firstChunk).toFixed(0)} ms | ${r.ours.length} |`,
    );
  }
  const one = results.find((r) => r.w.id === 1);
  const ten = results.find((r) => r.w.id === 3);
  if (one && ten) {
    const perRow1 = (median(one.ours) / one.rows) * 1e6;
    const perRow10 = (median(ten.ours) / ten.rows) * 1e6;
    lines.push(
      '',
      `Time per row: ${perRow1.toFixed(2)} µs at 1M rows, ${perRow10.toFixed(2)} µs at 10M rows (${(perRow10 / perRow1).toFixed(2)}x).`,
    );
  }
  if (sweep.length) {
    lines.push(
      '',
      'Chunk size on workload 1 (median seconds):',
      '',
      '| --chunk-size | seconds |',
      '|---:|---:|',
    );
    for (const s of sweep) lines.push(`| ${s.chunk} | ${s.seconds.toFixed(2)} |`);
  }
  if (extra.workers) {
    lines.push(
      '',
      'Workers per key kind (median seconds of the CLI run, and rows/s):',
      '',
      '| workload | 1 worker | 2 workers | 4 workers |',
      '|---|---:|---:|---:|',
    );
    for (const { w, sweep: x } of extra.workers) {
      const cell = (n: number) => {
        const r = x.find((y) => y.workers === n);
        return r ? `${r.seconds.toFixed(2)} s, ${r.rowsPerSecond.toLocaleString('en-US')}` : '';
      };
      lines.push(`| ${w.label} | ${cell(1)} | ${cell(2)} | ${cell(4)} |`);
    }
  }
  if (extra.brake) lines.push('', ...renderBrake(extra.brake));
  lines.push('', 'Raw runs (seconds):', '');
  for (const r of results) {
    lines.push(
      `- ${r.w.label}: limit ${r.limit.map((x) => x.toFixed(2)).join(', ')}; flusher ${r.ours.map((x) => x.toFixed(2)).join(', ')}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** This bundle against the `--before` one, timed in the same runs. */
function renderBefore(results: Result[]): string[] {
  return [
    `Before/after in one run: \`${BEFORE}\` (before) and \`${CLI}\` (after), medians of the same runs.`,
    '',
    '| workload | the limit | before | after | after / before | before, min-max | after, min-max |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => {
      const b = median(r.before);
      const o = median(r.ours);
      const span = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} s`;
      return `| ${r.w.label} | ${median(r.limit).toFixed(2)} s | ${b.toFixed(2)} s | ${o.toFixed(2)} s | ${(o / b).toFixed(2)}x | ${span(r.before)} | ${span(r.ours)} |`;
    }),
  ];
}

function renderBrake(b: BrakeDemo): string[] {
  const over = b.samples.filter((x) => x.threads - x.ours > b.limit);
  const firstOver = over[0]?.at ?? NaN;
  const lastOver = over.at(-1)?.at ?? NaN;
  // Past one poll of the brake (500 ms) and the chunks already running, none of ours may run.
  const settled = over.filter((x) => x.at > firstOver + 1500);
  return [
    `Load brake on workload 4 (\`--max-load Threads_running=${b.limit}\`, 50,000-row chunks): ${b.loadSessions} other sessions ` +
      `ran SELECT SLEEP(${b.loadSeconds}) from 1.5 s into the run, which alone puts Threads_running over the limit. ` +
      `Sampled every 20 ms: the others alone were over the limit from ${firstOver} ms to ${lastOver} ms; ` +
      `statements of ours running in that span, past its first 1.5 s: at most ${Math.max(0, ...settled.map((x) => x.ours))} ` +
      `(${settled.length} samples); the brake held new chunks for ${(b.brakeMs / 1000).toFixed(1)} s in all.`,
  ];
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
