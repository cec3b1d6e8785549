/**
 * Faults: every one ends with every table identical (CHECKSUM/content, SHOW CREATE TABLE, triggers,
 * referencing foreign keys), nothing of ours left, and a new flush that succeeds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { q, rows, sql, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { mycnfFor, runCliProcess, startCli, type CliRun } from '../support/cli.js';
import { waitUntil } from '../support/process.js';
import { flushSettings, runFlush, tempHashfile } from '../support/flusher.js';
import { readBinlog, rowsByTable, transactionsBetween } from '../support/binlog.js';
import { gtidSetOf } from '../../src/flavours/index.js';
import { killByPidFile, startAgain } from '../sandbox/local.js';
import { readJournal } from '../../src/journal/journal.js';
import { tempDir } from '../support/temp.js';

const sb = inject('sandbox')!;
const S = 'bf_faults';
const KINDS = ['plain', 'fk_mid', 'parted', 'genc'] as const;
// In the order a table passes them: the twin's start and the twin under its parking name, the
// set-aside, the real DDL under the real name, the twin in (the shell parked), the copy, the swap.
const POINTS = [
  'after-shell',
  'after-twin',
  'after-set-aside',
  'after-ddl',
  'after-twin-in',
  'mid-copy',
  'after-copy',
  'after-swap',
] as const;

function fixture(maria: boolean): string {
  const seq = (n: number) => seqSql(maria, n);
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
DROP DATABASE IF EXISTS ${S};
CREATE DATABASE ${S};
USE ${S};
CREATE TABLE plain (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO plain SELECT seq, CONCAT('v', seq) FROM (${seq(300)}) s;
CREATE TABLE fk_p (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO fk_p SELECT seq FROM (${seq(300)}) s;
CREATE TABLE fk_mid (id INT PRIMARY KEY, p INT, CONSTRAINT fk_mid_p FOREIGN KEY (p) REFERENCES fk_p (id)) ENGINE=InnoDB;
INSERT INTO fk_mid SELECT seq, seq FROM (${seq(300)}) s;
CREATE TABLE fk_c (id INT PRIMARY KEY, m INT, CONSTRAINT fk_c_m FOREIGN KEY (m) REFERENCES fk_mid (id) ON DELETE CASCADE) ENGINE=InnoDB;
INSERT INTO fk_c SELECT seq, seq FROM (${seq(300)}) s;
CREATE TABLE parted (id INT NOT NULL, v INT, PRIMARY KEY (id)) PARTITION BY RANGE (id) (PARTITION a VALUES LESS THAN (150), PARTITION b VALUES LESS THAN MAXVALUE);
INSERT INTO parted SELECT seq, seq FROM (${seq(300)}) s;
CREATE TABLE genc (id INT PRIMARY KEY, a INT, b INT AS (a * 2) STORED, c VARCHAR(20) AS (CONCAT('c', a)) VIRTUAL, KEY (c)) ENGINE=InnoDB;
INSERT INTO genc (id, a) SELECT seq, seq FROM (${seq(300)}) s;
CREATE TABLE big_int (id INT PRIMARY KEY, v CHAR(20)) ENGINE=InnoDB;
INSERT INTO big_int SELECT seq, 'x' FROM (${seq(150000)}) s;
CREATE TABLE big_str (k VARCHAR(20) NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB;
INSERT INTO big_str SELECT CONCAT('k', LPAD(seq, 8, '0')), seq FROM (${seq(60000)}) s;
`;
}

const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));

// The fixture is made while the file is collected, before its tests are: how many journal records a
// flush of fk_mid appends, one test each, is known only from a clean run of it.
await startReplica(sb.replica).catch(() => undefined);
await withSql(sb.primary, (c) => c.query(fixture(sb.flavour === 'mariadb')));
await waitCaughtUp(sb.primary, sb.replica);
const mycnf = mycnfFor(sb.replica);
/** The fixture as made, before the clean runs below (which must leave it identical). */
const asMade = await snap();

const DDLS = ['create', 'none'] as const;
const journalBase = (ddl: string) => [
  '--mycnf',
  mycnf,
  '--table',
  `${S}.fk_mid`,
  '--chunk-size',
  '100',
  '--ddl',
  ddl,
];

/** A clean flush of fk_mid per --ddl: its run, and each record it appended (its step, or its type). */
const cleanRuns = new Map<string, { run: CliRun; records: string[] }>();
for (const ddl of DDLS) {
  const hashfile = tempHashfile();
  const run = await runCliProcess(['flush', ...journalBase(ddl), '--hashfile', hashfile]);
  const lines = run.code === 0 ? readFileSync(hashfile, 'utf8').trimEnd().split('\n') : [];
  // What the process appends after the header and the plan (its first two records, one table).
  const records = lines.slice(2).map((l) => {
    const r = JSON.parse(l) as { step?: string; type: string };
    return r.step ?? r.type;
  });
  cleanRuns.set(ddl, { run, records });
}

/**
 * One case per record: [--ddl, record number, records in all]. Which step a number is can change
 * from run to run (chunks are sent and answered concurrently), so names carry only the number.
 */
const journalCases = DDLS.flatMap((ddl) => {
  const { length } = cleanRuns.get(ddl)!.records;
  return Array.from({ length }, (_, i) => [ddl, i + 1, length] as const);
});

/** Whether this process may mount a small tmpfs (root on Linux), to fill a disk on purpose. */
function tmpfsAvailable(): boolean {
  const dir = tempDir('bf-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir]);
    return true;
  } catch {
    return false;
  }
}

describe('faults', () => {
  let before: SchemaSnapshot;

  beforeAll(async () => {
    before = await snap();
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  const cases = KINDS.flatMap((kind) => POINTS.map((point) => [kind, point] as const));
  it.each(cases)(
    'SIGKILL of the flusher: %s at %s -> recover -> identical -> a new flush succeeds',
    async (kind, point) => {
      const hashfile = tempHashfile();
      const base = ['--mycnf', mycnf, '--table', `${S}.${kind}`, '--chunk-size', '50'];
      const killed = await runCliProcess(['flush', ...base, '--hashfile', hashfile], {
        env: { BINLOG_FLUSHER_FAULT: `${point}@${S}.${kind}` },
      });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      const again = await runCliProcess(['flush', ...base, '--hashfile', tempHashfile()]);
      expect(again.code, again.stderr).toBe(0);
      expect(await snap()).toEqual(before);
    },
  );

  it.each(DDLS)(
    'a clean flush of fk_mid with --ddl %s succeeds (its journal gives the cases below)',
    (ddl) => {
      const { run, records } = cleanRuns.get(ddl)!;
      expect(run.code, run.stderr).toBe(0);
      expect(records.length).toBeGreaterThan(0);
      expect(before).toEqual(asMade);
      console.log(`--ddl ${ddl}: ${records.length} records: ${records.join(', ')}`);
    },
  );

  it.each(journalCases)(
    '--ddl %s: SIGKILL right after journal record %i of %i (a step announced, not yet done): recover -> identical',
    async (ddl, n) => {
      const hashfile = tempHashfile();
      const killed = await runCliProcess(['flush', ...journalBase(ddl), '--hashfile', hashfile], {
        env: { BINLOG_FLUSHER_FAULT: `journal@${n}` },
      });
      const last = JSON.parse(readFileSync(hashfile, 'utf8').trimEnd().split('\n').pop()!) as {
        step?: string;
        type: string;
      };
      const at = `${ddl} journal@${n} (killed after ${last.step ?? last.type})`;
      expect(killed.signal, `${at}: ${killed.stderr}`).toBe('SIGKILL');
      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, `${at}: ${rec.stdout}${rec.stderr}`).toBe(0);
      expect(await snap(), at).toEqual(before);
      expect(await withSql(sb.replica, leftovers), at).toEqual([]);
    },
  );

  it('after every journal kill and recover, a new flush of fk_mid succeeds', async () => {
    const again = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--table',
      `${S}.fk_mid`,
      '--hashfile',
      tempHashfile(),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(await snap()).toEqual(before);
  });

  it.each([
    ['KILL QUERY', 'big_int'],
    ['KILL CONNECTION', 'big_int'],
    ['KILL QUERY', 'big_str'],
    ['KILL CONNECTION', 'big_str'],
  ])(
    'the server kills our chunk (%s on %s): retried, no row missing or written twice',
    async (how, table) => {
      const killer = await sql(sb.replica);
      let kills = 0;
      let stop = false;
      const loop = (async () => {
        while (!stop && kills < 3) {
          const running = await rows<{ id: number }>(
            killer,
            "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO %' AND INFO LIKE ?",
            [`%${table}%`],
          );
          if (running[0]) {
            const id = Number(running[0].id);
            await killer.query(`${how} ${id}`).catch(() => undefined);
            kills++;
            // The next look sees the run's next chunk, not the killed statement still ending.
            await waitUntil(`the killed chunk statement (connection ${id}) to end`, async () => {
              const [n] = await rows<{ n: number }>(
                killer,
                "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE 'INSERT INTO %'",
                [id],
              );
              return Number(n!.n) === 0;
            });
          }
        }
      })();
      // Chunks long enough (about 20 ms) that a kill lands inside one rather than between two.
      const s = flushSettings(sb.replica, {
        selection: { databases: [], tables: [{ schema: S, table }], skip: [] },
        chunkSize: 30000,
        concurrency: 1,
      });
      const { report, log } = await runFlush(s);
      stop = true;
      await loop;
      await killer.end();
      expect(report.status, log.lines.join('\n')).toBe('flushed');
      expect(kills).toBeGreaterThan(0);
      expect(log.lines.join('\n')).toMatch(/failed .*checking the binlog and retrying/);
      const events = await readBinlog(sb.replica, report.binlog!.start, report.binlog!.end!);
      const got = rowsByTable(events).get(`${q(S)}.${q(table)}`) ?? [];
      const n = before.tables[table]!.count;
      expect(got.length).toBe(n);
      expect(new Set(got.map((v) => v[0])).size).toBe(n);
      expect(report.tables[0]!.rows).toBe(n);
      // A chunk whose reply was lost may have committed: its GTID is read from the binlog, so the
      // run's GTID set is still exactly what it wrote (nothing else writes here meanwhile).
      const txs = await transactionsBetween(sb.replica, report.binlog!.start, report.binlog!.end!);
      const flavour = sb.flavour === 'mariadb' ? 'mariadb' : 'mysql';
      expect(report.gtid?.written).toBe(
        gtidSetOf(
          flavour,
          txs.map((t) => t.gtid),
        ),
      );
      expect(await snap()).toEqual(before);
      await startReplica(sb.replica);
    },
  );

  it('two flushes at once, the second with --lock-wait 0: refused by the server-side lock, naming the first', async () => {
    const first = startCli([
      'flush',
      '--mycnf',
      mycnf,
      '--table',
      `${S}.big_int`,
      '--chunk-size',
      '100',
      '--hashfile',
      tempHashfile(),
    ]);
    // Wait until the first holds the lock.
    await waitUntil(
      'the first flush to hold the lock binlog-flusher',
      async () => {
        const held = await withSql(sb.replica, (c) =>
          rows<{ h: number | null }>(c, "SELECT IS_USED_LOCK('binlog-flusher') AS h"),
        );
        return Boolean(held[0]?.h);
      },
      60_000,
      () => (first.ended() ? `the first flush ended first: ${first.output()}` : 'the first flush still runs'),
    );
    const second = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--table',
      `${S}.plain`,
      '--lock-wait',
      '0',
      '--hashfile',
      tempHashfile(),
    ]);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      /another binlog-flusher run holds the lock binlog-flusher on this server: connection \d+ \(sandbox@/,
    );
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(0);
    expect(await snap()).toEqual(before);
  });

  it('a journal that cannot be created: refused before any change', async () => {
    await startReplica(sb.replica);
    const r = await runCliProcess([
      'flush',
      '--mycnf',
      mycnf,
      '--table',
      `${S}.plain`,
      '--hashfile',
      '/dev/null/journal',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--hashfile: cannot create \/dev\/null\/journal: \/dev\/null is not a directory/,
    );
    expect(await snap()).toEqual(before);
    expect(
      await withSql(sb.replica, (c) =>
        rows(c, sb.flavour === 'mariadb' ? 'SHOW SLAVE STATUS' : 'SHOW REPLICA STATUS'),
      ),
    ).toMatchObject([
      sb.flavour === 'mariadb' ? { Slave_SQL_Running: 'Yes' } : { Replica_SQL_Running: 'Yes' },
    ]);
  });

  it.skipIf(!tmpfsAvailable())(
    'the disk fills up under the journal mid-run: the flush stops before its next change and every table is back (needs a tmpfs mount: root)',
    async () => {
      const dir = tempDir('bf-full-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12k', 'tmpfs', dir]);
      try {
        const r = await runCliProcess([
          'flush',
          '--mycnf',
          mycnf,
          '--table',
          `${S}.big_int`,
          '--chunk-size',
          '200',
          '--hashfile',
          join(dir, 'j.hashfile'),
        ]);
        expect(r.code, r.stdout + r.stderr).toBe(4);
        expect(r.stdout + r.stderr).toMatch(/ENOSPC/);
        expect(r.stdout).toMatch(/big_int: restored/);
        expect(await snap()).toEqual(before);
        expect(await withSql(sb.replica, leftovers)).toEqual([]);
      } finally {
        execFileSync('umount', [dir]);
      }
      await startReplica(sb.replica);
    },
  );

  it.skipIf(!sb.replica.command || !sb.replica.datadir)(
    'the replica server is killed (SIGKILL) mid-flush and restarted: recover restores everything (local sandbox with its datadir only: it kills mysqld by its pid file and starts it again)',
    async () => {
      const hashfile = tempHashfile();
      const run = startCli([
        'flush',
        '--mycnf',
        mycnf,
        '--db',
        S,
        '--chunk-size',
        '100',
        '--timeout',
        '5',
        '--hashfile',
        hashfile,
      ]);
      const chunks = () => {
        try {
          return (readFileSync(hashfile, 'utf8').match(/"type":"chunk"/g) ?? []).length;
        } catch {
          return 0; // not created yet
        }
      };
      await waitUntil(
        'three chunk records in the journal (the copy under way)',
        () => chunks() >= 3,
        60_000,
        () =>
          `${chunks()} so far; ${run.ended() ? `the flush ended: ${run.output()}` : 'the flush still runs'}`,
      );
      await killByPidFile(sb.replica.datadir!, 'SIGKILL');
      const r = await run.done;
      expect(r.code, r.stdout + r.stderr).toBe(5);
      expect(r.stdout + r.stderr).toMatch(/binlog-flusher recover .*--hashfile/);
      mkdirSync(sb.replica.datadir!, { recursive: true });
      await startAgain(sb.replica);
      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      await startReplica(sb.replica);
      const again = await runCliProcess(['flush', '--mycnf', mycnf, '--db', S, '--hashfile', tempHashfile()]);
      expect(again.code, again.stderr).toBe(0);
    },
  );

  it.skipIf(!sb.replica.datadir)(
    'the server stops answering mid-flush: fails within a bounded time saying recovery is needed; recover restores (local sandbox with its datadir only: it freezes mysqld, found by its pid file)',
    async () => {
      await startReplica(sb.replica);
      const pid = Number(readFileSync(join(sb.replica.datadir!, 'mysqld.pid'), 'utf8'));
      const hashfile = tempHashfile();
      const started = Date.now();
      let stoppedAt = 0;
      const watcher = setInterval(() => {
        if (stoppedAt) return;
        try {
          if (/"type":"chunk"/.test(readFileSync(hashfile, 'utf8'))) {
            process.kill(pid, 'SIGSTOP');
            stoppedAt = Date.now();
          }
        } catch {
          // not yet
        }
      }, 5);
      const r = await runCliProcess([
        'flush',
        '--mycnf',
        mycnf,
        '--table',
        `${S}.big_int`,
        '--chunk-size',
        '100',
        '--timeout',
        '3',
        '--hashfile',
        hashfile,
      ]);
      clearInterval(watcher);
      process.kill(pid, 'SIGCONT');
      expect(stoppedAt).toBeGreaterThan(0);
      const tookS = (Date.now() - stoppedAt) / 1000;
      expect(r.code, r.stdout + r.stderr).toBe(5);
      expect(tookS).toBeLessThan(40);
      console.log(
        `server frozen -> flusher exited with "recovery needed" after ${tookS.toFixed(1)} s (--timeout 3); run took ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    },
  );

  it('--resume after a recovered failure flushes only the tables that were not finished', async () => {
    await startReplica(sb.replica);
    const hashfile = tempHashfile();
    const base = ['--mycnf', mycnf, '--db', S, '--concurrency', '1', '--chunk-size', '1000'];
    // big_int is the largest and goes first; kill the run when genc (a small one) is being copied.
    const killed = await runCliProcess(['flush', ...base, '--hashfile', hashfile], {
      env: { BINLOG_FLUSHER_FAULT: `after-twin@${S}.genc` },
    });
    expect(killed.signal).toBe('SIGKILL');
    const j = readFileSync(hashfile, 'utf8');
    const finished = (j.match(/"type":"table-done"/g) ?? []).length;
    expect(finished).toBeGreaterThan(0);
    expect((await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile])).code).toBe(0);
    const resumed = await runCliProcess([
      'flush',
      ...base,
      '--hashfile',
      tempHashfile(),
      '--resume',
      hashfile,
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as {
      tables: { table: string }[];
      skipped: { table: string; reason: string }[];
    };
    const total = Object.keys(before.tables).length;
    expect(report.tables.length).toBe(total - finished);
    expect(report.skipped.filter((k) => /already flushed/.test(k.reason)).length).toBe(finished);
    expect(report.tables.map((t) => t.table)).toContain('genc');
    expect(report.tables.map((t) => t.table)).not.toContain('big_int');
    expect(await snap()).toEqual(before);
  });

  it('one table fails mid-run: only it is put back, the others are flushed, and --resume has only it left', async () => {
    await startReplica(sb.replica);
    const hashfile = tempHashfile();
    const s = flushSettings(sb.replica, {
      selection: { databases: [S], tables: [], skip: [] },
      hashfile,
    });
    const failOn = (p: string, t?: { table: string }) => {
      if (p === 'after-twin' && t?.table === 'genc') throw new Error('injected failure');
    };
    const { report } = await runFlush(s, { fault: failOn });
    expect(report.status).toBe('failed-restored');
    expect(report.exitCode).toBe(4);
    const genc = report.tables.find((t) => t.table === 'genc')!;
    expect(genc.status).toBe('restored');
    expect(genc.error).toMatch(/genc: twin failed: injected failure/);
    const others = report.tables.filter((t) => t.table !== 'genc');
    expect(others.map((t) => `${t.table}: ${t.status}`)).toEqual(others.map((t) => `${t.table}: flushed`));
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);

    const resumed = await runFlush(
      flushSettings(sb.replica, {
        selection: { databases: [S], tables: [], skip: [] },
        resumeFrom: hashfile,
      }),
    );
    expect(resumed.report.status).toBe('flushed');
    expect(resumed.report.tables.map((t) => t.table)).toEqual(['genc']);
    expect(await snap()).toEqual(before);

    // --stop-on-error: the run ends at that table; tables not reached are not started.
    const stop = await runFlush(
      flushSettings(sb.replica, {
        selection: { databases: [S], tables: [], skip: [] },
        stopOnError: true,
        concurrency: 1,
      }),
      { fault: failOn },
    );
    expect(stop.report.status).toBe('failed-restored');
    expect(stop.report.tables.some((t) => t.status === 'not-started')).toBe(true);
    expect(await snap()).toEqual(before);
  });

  it('recover reports a table in place as in place, whatever it cannot remove beside it', async () => {
    const hashfile = tempHashfile();
    const killed = await runCliProcess(
      ['flush', '--mycnf', mycnf, '--table', `${S}.plain`, '--hashfile', hashfile],
      { env: { BINLOG_FLUSHER_FAULT: `after-swap@${S}.plain` } },
    );
    expect(killed.signal).toBe('SIGKILL');
    const twin = readJournal(hashfile).tables[0]!.twin;
    // Someone puts rows into the parked twin by hand: it is no longer provably our empty twin.
    await withSql(sb.replica, (c) =>
      c.query(
        `SET sql_log_bin = 0; ALTER TABLE ${S}.${twin} ENGINE=InnoDB; INSERT INTO ${S}.${twin} VALUES (1, 'hand')`,
      ),
    );
    const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile, '--json']);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    const t = (JSON.parse(rec.stdout) as { tables: { outcome: string; ok: boolean; detail: string }[] })
      .tables[0]!;
    expect(t).toMatchObject({ outcome: 'debris-left', ok: true });
    expect(t.detail).toMatch(
      new RegExp(`${S}\\.plain in place, but ${S}\\.${twin} is not ours to drop; left alone: it holds rows`),
    );
    expect(await withSql(sb.replica, leftovers)).toEqual([`${S}.${twin}`]);
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${S}.${twin}`));
    expect(await snap()).toEqual(before);
    await startReplica(sb.replica);
  });
});
