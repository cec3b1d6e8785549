/**
 * BF_SANDBOX=local npx tsx bench/verify.ts [--rows 1000000] [--runs 3] [--baseline <git rev>]
 *
 * `verify` on one flushed table of --rows rows, as a user runs it: the CLI bundled with ncc (into a
 * temporary folder, not dist/), under /usr/bin/time -v, for its wall time and peak RSS. Three ways:
 * by value (the default), --counts-only, and the CLI built from --baseline (a git revision, e.g. the
 * last one that compared counts only) when given. The table is bench.ts's workload 1 (BIGINT key, INT,
 * DECIMAL, DATETIME(6), VARCHAR), loaded on the replica without logging and flushed once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../test/sandbox/index.js';
import { seqSql } from '../test/fixtures/kinds.js';
import { mycnfFor } from '../test/support/cli.js';
import { withSql } from '../test/support/db.js';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt?: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const ROWS = Number(arg('--rows', '1000000'));
const RUNS = Number(arg('--runs', '3'));
const BASELINE = arg('--baseline');
const work = mkdtempSync(join(tmpdir(), 'bf-bench-verify-'));

/** The CLI of a source tree, bundled as dist/ would be (ncc), into a folder of its own. */
function bundle(srcRoot: string, out: string): string {
  execFileSync('npx', ['ncc', 'build', join(srcRoot, 'src/cli/index.ts'), '-o', out, '-q'], {
    cwd: srcRoot,
    stdio: 'inherit',
  });
  return join(out, 'index.js');
}

function baselineCli(rev: string): string {
  const dir = join(work, 'baseline');
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('sh', [
    '-c',
    `git -C "${ROOT}" archive "${rev}" src tsconfig.json package.json | tar -x -C "${dir}"`,
  ]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return bundle(dir, join(work, 'baseline-cli'));
}

interface Timed {
  seconds: number;
  rssMb: number;
  code: number | null;
  out: string;
}

function timed(cli: string, argv: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, ...argv], { encoding: 'utf8' });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (!wall || !rss) throw new Error(`no /usr/bin/time output: ${r.stderr.slice(-1000)}`);
  return {
    seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    rssMb: Number(rss[1]) / 1024,
    code: r.status,
    out: r.stdout,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cli = bundle(ROOT, join(work, 'cli'));
const base = BASELINE ? baselineCli(BASELINE) : undefined;
const sb = await startSandbox(process.env.BF_SANDBOX ?? 'local');
try {
  const { replica } = sb.info;
  const maria = replica.flavour === 'mariadb';
  process.stderr.write(`loading ${ROWS} rows on the replica (${replica.flavour})\n`);
  await withSql(replica, (c) =>
    c.query(`SET SESSION sql_log_bin = 0; ${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
      DROP DATABASE IF EXISTS bench_v; CREATE DATABASE bench_v; USE bench_v;
      CREATE TABLE bench_v.t (id BIGINT NOT NULL PRIMARY KEY, customer INT NOT NULL, amount DECIMAL(12,2) NOT NULL,
        created DATETIME(6) NOT NULL, note VARCHAR(24) NOT NULL) ENGINE=InnoDB;
      INSERT INTO bench_v.t SELECT seq, seq % 9973, (seq % 100000) / 100, '2024-01-01 00:00:00' + INTERVAL seq SECOND,
        CONCAT('note-', seq) FROM (${seqSql(maria, ROWS)}) AS s`),
  );
  const cnf = mycnfFor(replica);
  const hashfile = join(work, 'j.hashfile');
  const f = timed(cli, ['flush', '--mycnf', cnf, '--db', 'bench_v', '--hashfile', hashfile, '--start-slave']);
  if (f.code !== 0) throw new Error(`flush failed: ${f.out}`);
  process.stderr.write(`flushed in ${f.seconds.toFixed(1)}s\n`);
  const ways: [string, string, string[]][] = [
    ['by value', cli, []],
    ['--counts-only', cli, ['--counts-only']],
    ...(base ? ([[`counts (${BASELINE})`, base, []]] as [string, string, string[]][]) : []),
  ];
  const lines: string[] = [];
  for (const [label, bin, extra] of ways) {
    const runs: Timed[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = timed(bin, ['verify', '--mycnf', cnf, '--hashfile', hashfile, ...extra]);
      if (r.code !== 0) throw new Error(`${label}: verify exited ${r.code}: ${r.out}`);
      runs.push(r);
    }
    const line = `${label.padEnd(28)} ${median(runs.map((r) => r.seconds)).toFixed(2)} s  (runs: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')})  peak RSS ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MiB`;
    lines.push(line);
    process.stderr.write(`${line}\n${runs[0]!.out.split('\n').slice(-4).join('\n')}\n`);
  }
  const host = `${process.env.BF_SANDBOX ?? 'local'} (${replica.flavour}), node ${process.version}`;
  console.log(`verify, 1 table x ${ROWS} rows, ${host}, median of ${RUNS}:\n${lines.join('\n')}`);
} finally {
  await sb.stop();
}
