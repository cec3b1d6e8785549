/**
 * One actor at a time: recover against a live flush, a torn journal tail, statements a dead run left
 * on the server, and the sandbox's private tmpdirs. Each case ends with every table identical.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { inside } from '../sandbox/binaries.js';
import { rows, sql, startReplica, waitCaughtUp, waitStatementsDone, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { frozenCli, mycnfFor, recoverWith, runCliProcess, startCli, type CliRun } from '../support/cli.js';
import { tempHashfile as newHashfile } from '../support/flusher.js';
import { procState } from '../support/process.js';
import { readJournal } from '../../src/journal/journal.js';
import { workerLockName } from '../../src/db/run-lock.js';

const sb = inject('sandbox')!;
const S = 'bf_actor';

function fixture(maria: boolean): string {
  const seq = (n: number) => seqSql(maria, n);
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
DROP DATABASE IF EXISTS ${S};
CREATE DATABASE ${S};
USE ${S};
CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(40)) ENGINE=InnoDB;
INSERT INTO big SELECT seq, REPEAT('y', 40) FROM (${seq(20000)}) s;
CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO parent SELECT seq FROM (${seq(50)}) s;
CREATE TABLE child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id)) ENGINE=InnoDB;
INSERT INTO child SELECT seq, seq FROM (${seq(50)}) s;
CREATE TABLE audited (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;
CREATE TRIGGER audited_bi BEFORE INSERT ON audited FOR EACH ROW SET NEW.n = NEW.n + 1;
INSERT INTO audited SELECT seq, seq FROM (${seq(50)}) s;
`;
}

const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));

describe('one actor at a time', () => {
  let before: SchemaSnapshot;
  let mycnf: string;
  const flushArgs = (hashfile: string) => [
    'flush',
    '--mycnf',
    mycnf,
    '--db',
    S,
    '--chunk-size',
    '1000',
    '--hashfile',
    hashfile,
  ];

  const recoverRun = (hashfile: string, ...extra: string[]) => recoverWith(mycnf)(hashfile, ...extra);

  // What a test left running or set aside is finished here, so that one failing test cannot fail
  // the next ones (or the next test files, which share the servers).
  const journals: string[] = [];
  const flushes: { pid: number; done: Promise<CliRun> }[] = [];
  const tempHashfile = () => {
    const j = newHashfile();
    journals.push(j);
    return j;
  };
  afterEach(async () => {
    for (const f of flushes.splice(0)) {
      if (procState(f.pid) !== '') process.kill(f.pid, 'SIGCONT');
      await f.done;
    }
    if ((await withSql(sb.replica, leftovers)).length === 0) return;
    for (const j of journals) await recoverRun(j);
  });

  /**
   * A flush that froze itself (SIGSTOP) right after its first chunk of `big`: it holds the run lock.
   * Returns once the statements it had sent before it froze have ended on the server.
   */
  async function frozenFlush(hashfile: string): Promise<{ pid: number; done: Promise<CliRun> }> {
    const { proc, frozen } = await frozenCli(flushArgs(hashfile), `mid-copy@${S}.big`);
    const { pid, done } = proc;
    if (pid !== 0) flushes.push({ pid, done });
    expect(frozen, 'the flush stops itself mid-copy').toBe(true);
    await waitStatementsDone(sb.replica);
    return { pid, done };
  }

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(fixture(sb.flavour === 'mariadb')));
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
    mycnf = mycnfFor(sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('recover started while a flush runs, --lock-wait 1: refused naming the flush, nothing touched; the flush then succeeds', async () => {
    const hashfile = tempHashfile();
    const flush = await frozenFlush(hashfile);
    const aside = await withSql(sb.replica, leftovers);
    expect(aside.length).toBeGreaterThan(0);

    const rec = await recoverRun(hashfile, '--lock-wait', '1');
    expect(rec.code, rec.stdout + rec.stderr).toBe(3);
    expect(rec.stderr).toMatch(
      /another binlog-flusher run holds the lock binlog-flusher on this server: connection \d+ \(sandbox@127\.0\.0\.1[^)]*\), (between statements|running a statement) for \d+ s; waited 1 s/,
    );
    expect(rec.stderr).toMatch(/fix: .*let it finish and try again/);
    expect(await withSql(sb.replica, leftovers)).toEqual(aside);

    process.kill(flush.pid, 'SIGCONT');
    const r = await flush.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    expect(readJournal(hashfile).end).toBe('flushed');
  });

  it('recover started while a flush runs: waits for the flush to end, then finds every table in place', async () => {
    const hashfile = tempHashfile();
    const flush = await frozenFlush(hashfile);
    const rec = startCli(['recover', '--mycnf', mycnf, '--hashfile', hashfile, '--json']);
    // Once recover says it met the flush's lock and waits on it, the flush goes on.
    await rec.waitForOutput(/another binlog-flusher run holds the run lock .*; waiting up to 60 s/);
    expect(await withSql(sb.replica, leftovers)).not.toEqual([]);
    process.kill(flush.pid, 'SIGCONT');
    const [f, r] = await Promise.all([flush.done, rec.done]);
    expect(f.code, f.stdout + f.stderr).toBe(0);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/another binlog-flusher run holds the run lock .*; waiting up to 60 s/);
    const outcomes = (JSON.parse(r.stdout) as { tables: { outcome: string }[] }).tables.map((t) => t.outcome);
    expect(outcomes).toEqual(Array(4).fill('already-restored'));
    expect(await snap()).toEqual(before);
    // Both wrote the journal, one after the other: it reads whole.
    const j = readJournal(hashfile);
    expect(j.end).toBe('recovered');
    expect(readFileSync(hashfile, 'utf8').endsWith('\n')).toBe(true);
  });

  it('a torn last record (a crash mid-append): recover cuts it, and a second recover reads the journal and changes nothing', async () => {
    const hashfile = tempHashfile();
    const killed = await runCliProcess(flushArgs(hashfile), {
      env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` },
    });
    expect(killed.signal).toBe('SIGKILL');
    appendFileSync(hashfile, '{"type":"step","id":1,"st');

    const first = await recoverRun(hashfile);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/cut off a torn last record \(25 bytes\)/);
    expect(await snap()).toEqual(before);

    const second = await recoverRun(hashfile, '--json');
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const outcomes = (JSON.parse(second.stdout) as { tables: { outcome: string }[] }).tables.map(
      (t) => t.outcome,
    );
    expect(outcomes).toEqual(Array(4).fill('already-restored'));
    expect(readJournal(hashfile).end).toBe('recovered');
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
  });

  it.each([
    ['the run lock', 'binlog-flusher'],
    ['a worker slot', workerLockName(3)],
  ])(
    "a dead run's session still holds %s while its last statement runs: recover waits for it (a short --lock-wait refuses), then restores",
    async (_what, lockName) => {
      const hashfile = tempHashfile();
      const killed = await runCliProcess(flushArgs(hashfile), {
        env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` },
      });
      expect(killed.signal).toBe('SIGKILL');
      // The killed client's sessions may still be running their last statements (a rename, a
      // CREATE), which change the leftovers and hold their locks until they end.
      await waitStatementsDone(sb.replica);
      const aside = await withSql(sb.replica, leftovers);
      expect(aside.length).toBeGreaterThan(0);

      // Stand-in for the dead client's session: it holds the lock while a statement runs, then goes.
      // (It waits a little for the dead session itself to be gone and let go of the lock.)
      const ghost = await sql(sb.replica);
      const [got] = await rows<{ g: number }>(ghost, 'SELECT GET_LOCK(?, 10) AS g', [lockName]);
      expect(Number(got!.g)).toBe(1);
      const statement = ghost.query('SELECT SLEEP(4)').finally(() => ghost.end());

      const refused = await recoverRun(hashfile, '--lock-wait', '1');
      expect(refused.code, refused.stdout + refused.stderr).toBe(3);
      expect(refused.stderr).toMatch(
        /connection \d+ \(sandbox@127\.0\.0\.1[^)]*\), running a statement for \d+ s/,
      );
      expect(await withSql(sb.replica, leftovers)).toEqual(aside);

      const started = Date.now();
      const rec = await recoverRun(hashfile);
      await statement;
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(Date.now() - started).toBeGreaterThan(1000);
      expect(rec.stdout).toMatch(/Recovery: recovered \(4 of 4 tables in place\)/);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    },
  );

  it.skipIf(sb.kind !== 'local')(
    'every sandbox server has a tmpdir of its own, so one starting cannot delete the temporary tables of another (local sandbox)',
    async () => {
      const dirs = await Promise.all(
        [sb.primary, sb.replica].map((s) =>
          withSql(s, async (c) => String((await rows<{ d: string }>(c, 'SELECT @@tmpdir AS d'))[0]!.d)),
        ),
      );
      expect(new Set(dirs).size).toBe(2);
      for (const d of dirs) {
        expect(d).not.toBe(tmpdir());
        expect(d).not.toBe('/tmp');
        // As the server sees it: a chroot flavour's paths are inside its root.
        expect(d.startsWith(inside(sb.replica, sb.root!))).toBe(true);
      }
    },
  );
});
