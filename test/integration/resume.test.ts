/**
 * Issue 17, finding 5: `--resume J` flushed schemas the run J never selected (it took today's default
 * selection, every schema). It takes J's selection and settings, and refuses a different one naming
 * the input.
 *
 * Issue 25, finding 5: `--resume` of a finished run stopped a running applier and left it stopped
 * (and turned read_only on and off, and wrote a journal) while flushing nothing; `--start-slave` was
 * refused as differing from the earlier run. It now changes nothing and says so, and starts a stopped
 * applier when asked, only where no table of a run holds a name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replicaRunning, rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { transactionsBetween, type Position } from '../support/binlog.js';
import { readActionSettings } from '../../src/action/inputs.js';
import { runAction } from '../../src/action/run.js';
import { memoryLogger } from '../../src/model/log.js';

const sb = inject('sandbox')!;
const A = 'bf_res_a';
const B = 'bf_res_b';

describe("--resume takes the earlier run's selection and settings", () => {
  let cnf: string;
  let recovered = '';
  const journal = tempHashfile();
  /** The journal of the resume that finished the run. */
  const finished = tempHashfile();

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const fill = (t: string, n: number) =>
      `INSERT INTO ${t} VALUES ${Array.from({ length: n }, (_, i) => `(${i + 1})`).join(',')};`;
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${A}; DROP DATABASE IF EXISTS ${B}; CREATE DATABASE ${A}; CREATE DATABASE ${B};
        CREATE TABLE ${A}.t1 (id INT PRIMARY KEY); CREATE TABLE ${A}.t2 (id INT PRIMARY KEY);
        CREATE TABLE ${A}.t3 (id INT PRIMARY KEY); CREATE TABLE ${B}.u (id INT PRIMARY KEY);
        ${fill(`${A}.t1`, 30)} ${fill(`${A}.t2`, 40)} ${fill(`${A}.t3`, 10)} ${fill(`${B}.u`, 5)}`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    // Fresh statistics, so that the plan chunks these small tables by the chunk size.
    await withSql(sb.replica, (c) => c.query(`ANALYZE LOCAL TABLE ${A}.t1, ${A}.t2, ${A}.t3`));
    cnf = mycnfFor(sb.replica);
    // The earlier run: schema A only, chunks of 7 rows, no DDL, one worker; killed when it reaches
    // t3, then recovered. t1 and t2 are finished.
    const killed = await runCliProcess(
      [
        'flush',
        '--mycnf',
        cnf,
        '--db',
        A,
        '--chunk-size',
        '7',
        '--ddl',
        'none',
        '--concurrency',
        '1',
        '--hashfile',
        journal,
      ],
      { env: { BINLOG_FLUSHER_FAULT: `after-twin@${A}.t3` } },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rec = await runCliProcess(['recover', '--mycnf', cnf, '--hashfile', journal]);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    recovered = rec.stdout;
  }, 120_000);

  afterAll(async () => {
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    await startReplica(sb.replica).catch(() => undefined);
  });

  it("the header records the run's selection and settings", () => {
    const header = JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!) as {
      options: Record<string, unknown>;
    };
    expect(header.options).toMatchObject({
      databases: [A],
      chunkSize: 7,
      concurrency: 1,
      gtid: null,
      maxLoad: null,
    });
  });

  it('recover in the CLI wrote the manifest next to the journal (issue 17, finding 9), naming it', () => {
    expect(recovered).toContain(`Manifest: ${journal}.manifest.json`);
    const m = JSON.parse(readFileSync(`${journal}.manifest.json`, 'utf8')) as {
      kind: string;
      tables: { table: string; rows: number }[];
    };
    expect(m.kind).toBe('binlog-flusher-manifest');
    expect(m.tables.map((t) => `${t.table}:${t.rows}`)).toEqual(['t1:30', 't2:40']);
  });

  it('a different selection or setting is refused, naming the input; nothing changes', async () => {
    const before = await withSql(sb.replica, (c) => snapshotSchema(c, B));
    // Each with a journal path of its own: a run that is not refused writes it there, not in the
    // working directory.
    const fresh = ['--hashfile', tempHashfile()];
    const other = await runCliProcess(['flush', '--mycnf', cnf, '--resume', journal, '--db', B, ...fresh]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      new RegExp(`--db: differs from the run being resumed \\(.* ran with ${A}, this run gives ${B}\\)`),
    );
    const chunks = await runCliProcess([
      'flush',
      '--mycnf',
      cnf,
      '--resume',
      journal,
      '--chunk-size',
      '100',
      '--hashfile',
      tempHashfile(),
    ]);
    expect(chunks.code).toBe(2);
    expect(chunks.stderr).toMatch(
      /--chunk-size: differs from the run being resumed \(.* ran with 7, this run gives 100\)/,
    );
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, B))).toEqual(before);
  });

  it('without a selection, it continues the earlier run: only t3 of schema A, in chunks of 7, no DDL', async () => {
    const r = await runCliProcess([
      'flush',
      '--mycnf',
      cnf,
      '--resume',
      journal,
      '--hashfile',
      finished,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      tables: { schema: string; table: string; status: string; rows: number; chunks: number }[];
      skipped: { schema: string; table: string; reason: string }[];
      binlog: { start: Position; end: Position };
    };
    const logged = await transactionsBetween(sb.replica, report.binlog.start, report.binlog.end);
    expect(logged.flatMap((t) => t.queries)).toEqual([]);
    expect(new Set(logged.flatMap((t) => t.tables))).toEqual(new Set([`${A}.t3`]));
    expect(report.tables.map((t) => `${t.schema}.${t.table}`)).toEqual([`${A}.t3`]);
    expect(report.tables[0]).toMatchObject({ status: 'flushed', rows: 10, chunks: 2 });
    expect(
      report.skipped.filter((k) => /already flushed/.test(k.reason)).map((k) => `${k.schema}.${k.table}`),
    ).toEqual([`${A}.t1`, `${A}.t2`]);
  });

  const readOnly = () =>
    withSql(sb.replica, async (c) => (await rows<{ r: number }>(c, 'SELECT @@GLOBAL.read_only AS r'))[0]!.r);
  const resumeFinished = (...extra: string[]) => {
    const hashfile = tempHashfile();
    return runCliProcess([
      'flush',
      '--mycnf',
      cnf,
      '--resume',
      finished,
      '--hashfile',
      hashfile,
      ...extra,
    ]).then((r) => ({ ...r, hashfile }));
  };

  it('a resume of the finished run changes nothing and says so: the running applier runs on, no journal', async () => {
    await startReplica(sb.replica).catch(() => undefined);
    expect(await replicaRunning(sb.replica)).toBe(true);
    const ro = await readOnly();
    const r = await resumeFinished('--json');
    expect(r.code, r.stderr).toBe(0);
    expect(await replicaRunning(sb.replica)).toBe(true);
    const report = JSON.parse(r.stdout) as {
      status: string;
      tables: unknown[];
      nothing: { reason: string; applier: string; resumed: string };
      replica: { stopped: boolean; started: boolean };
    };
    expect(report.status).toBe('nothing-to-flush');
    expect(report.tables).toEqual([]);
    expect(report.nothing).toMatchObject({ applier: 'running', resumed: finished });
    expect(report.nothing.reason).toMatch(/finished every table it selected \(3\); nothing was changed/);
    expect(report.replica).toMatchObject({ stopped: false, started: false });
    expect(r.stderr).not.toMatch(/applier stopped|read_only turned/);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await readOnly()).toBe(ro);
    expect(existsSync(r.hashfile)).toBe(false);
    const text = await resumeFinished();
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Result: nothing to flush \(3 tables already flushed\)$/m);
    expect(text.stdout).toMatch(/Replica applier: running, not touched/);
  });

  it("with the applier stopped: left stopped and the statement named; --start-slave (not the run's switch) starts it", async () => {
    await withSql(sb.replica, (c) => c.query('STOP REPLICA'));
    const left = await resumeFinished();
    expect(left.code, left.stderr).toBe(0);
    expect(left.stdout).toMatch(
      /Replica applier: stopped, left stopped \(resume with --start-slave starts it, or run START/,
    );
    expect(await replicaRunning(sb.replica)).toBe(false);
    // A table under a name of ours (a leftover of some run): the applier is not started, nothing changes.
    await withSql(sb.replica, (c) =>
      c.query(
        `SET sql_log_bin = 0; CREATE TABLE ${B}._bf_0badf00d_1_tw (id INT PRIMARY KEY) ENGINE=BLACKHOLE`,
      ),
    );
    try {
      const held = await resumeFinished('--start-slave');
      expect(held.code, held.stdout + held.stderr).toBe(3);
      expect(held.stderr).toMatch(
        /--start-slave: the applier is not started: tables of a run are on the server under its names: bf_res_b\._bf_0badf00d_1_tw/,
      );
      expect(await replicaRunning(sb.replica)).toBe(false);
    } finally {
      await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${B}._bf_0badf00d_1_tw`));
    }
    const r = await resumeFinished('--start-slave', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { nothing: { applier: string }; replica: { started: boolean } };
    expect(report.nothing.applier).toBe('started');
    expect(report.replica.started).toBe(true);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(existsSync(r.hashfile)).toBe(false);
  });

  it('the action: resume of the finished run (with start-replica, the applier running) changes nothing and uploads nothing', async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const ro = await readOnly();
    const hashfile = tempHashfile();
    const inputs: Record<string, string> = {
      host: sb.replica.host,
      port: String(sb.replica.port),
      user: sb.replica.user,
      password: sb.replica.password,
      resume: 'true',
      'start-replica': 'true',
      hashfile,
    };
    const outputs: Record<string, string> = {};
    let summary = '';
    const log = memoryLogger();
    const outcome = await runAction(
      readActionSettings((n) => inputs[n] ?? '', {}),
      {
        log,
        setOutput: (n, v) => (outputs[n] = v),
        writeSummary: async (m) => void (summary += m),
        state: { save: () => undefined, get: () => '' },
        journals: {
          upload: () => Promise.reject(new Error('nothing may be uploaded')),
          download: () => Promise.resolve(finished),
        },
        env: {},
      },
    );
    expect(outcome, log.lines.join('\n')).toEqual({ ok: true, message: 'nothing-to-flush' });
    expect(outputs.status).toBe('nothing-to-flush');
    expect(outputs['tables-flushed']).toBe('0');
    expect(summary).toMatch(/Nothing to flush: the run of .* finished every table it selected \(3\)/);
    expect(log.lines.join('\n')).not.toMatch(/applier stopped|read_only turned/);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await readOnly()).toBe(ro);
    expect(existsSync(hashfile)).toBe(false);
  });
});
