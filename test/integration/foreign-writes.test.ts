/**
 * No write by anyone else may vanish into a twin: while a table is set aside, another session's
 * write is refused (read_only, turned ON for the run) or the run does not start (a session or event
 * that could write despite read_only); a killed run leaves read_only ON and recover puts it back.
 */
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { rows, sql, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { frozenCli, mycnfFor, recoverWith, runCliProcess, type CliRun } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { waitUntil } from '../support/process.js';
import { readJournal } from '../../src/journal/journal.js';

const sb = inject('sandbox')!;
const S = 'bf_writes';
const APP_PW = 'App-pw-51ad0c';

const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));
const readOnly = () =>
  withSql(sb.replica, async (c) =>
    Number((await rows<{ v: number }>(c, 'SELECT @@GLOBAL.read_only AS v'))[0]!.v),
  );

describe('no write by anyone else vanishes into a twin', () => {
  let before: SchemaSnapshot;
  let mycnf: string;
  const flushArgs = (extra: string[] = []) => [
    'flush',
    '--mycnf',
    mycnf,
    '--db',
    S,
    '--chunk-size',
    '500',
    '--hashfile',
    tempHashfile(),
    ...extra,
  ];
  const flush = (extra: string[] = []) => runCliProcess(flushArgs(extra));

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    const maria = sb.flavour === 'mariadb';
    await withSql(sb.primary, (c) =>
      c.query(`${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
        DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
        CREATE TABLE ${S}.big (id INT PRIMARY KEY, v CHAR(30)) ENGINE=InnoDB;
        INSERT INTO ${S}.big SELECT seq, 'v' FROM (${seqSql(maria, 20000)}) s;
        CREATE TABLE ${S}.small (id INT PRIMARY KEY) ENGINE=InnoDB;
        INSERT INTO ${S}.small VALUES (1), (2), (3);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    // An application's user on the replica: it may write into the schema, and holds no privilege
    // that writes despite read_only.
    await withSql(sb.replica, (c) =>
      c.query(`SET sql_log_bin = 0; DROP USER IF EXISTS 'bf_app'@'127.0.0.1';
        CREATE USER 'bf_app'@'127.0.0.1' IDENTIFIED BY '${APP_PW}';
        GRANT SELECT, INSERT, UPDATE, DELETE ON ${S}.* TO 'bf_app'@'127.0.0.1';`),
    );
    before = await snap();
    mycnf = mycnfFor(sb.replica);
  });
  afterAll(async () => {
    await withSql(sb.replica, (c) =>
      c.query("SET GLOBAL read_only = OFF; SET sql_log_bin = 0; DROP USER IF EXISTS 'bf_app'@'127.0.0.1'"),
    );
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('an application inserting while its table is set aside: every insert is refused with an error it sees, none is lost', async () => {
    expect(await readOnly()).toBe(0);
    const { proc, frozen } = await frozenCli(flushArgs(), `mid-copy@${S}.big`);
    const { pid, done: run } = proc;
    expect(frozen, 'the flush stops itself mid-copy').toBe(true);
    expect(await withSql(sb.replica, leftovers)).not.toEqual([]); // big is set aside now

    const app: mysql.Connection = await sql({ ...sb.replica, user: 'bf_app', password: APP_PW });
    const outcomes: { id: number; error?: string }[] = [];
    try {
      for (let i = 1; i <= 20; i++) {
        const id = 1_000_000 + i;
        try {
          await app.query(`INSERT INTO ${S}.big VALUES (?, 'app')`, [id]);
          outcomes.push({ id });
        } catch (e) {
          outcomes.push({ id, error: (e as Error).message });
        }
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const r: CliRun = await run;
    await app.end();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Server setting read_only: turned ON for the run, back to OFF/);

    const present = new Set(
      (
        await withSql(sb.replica, (c) =>
          rows<{ id: number }>(c, `SELECT id FROM ${S}.big WHERE id > 1000000`),
        )
      ).map((x) => Number(x.id)),
    );
    const lost = outcomes.filter((o) => !o.error && !present.has(o.id));
    expect(lost).toEqual([]);
    // Here every one was refused by the server, and the client was told why.
    expect(outcomes.filter((o) => o.error).length).toBe(20);
    expect(outcomes[0]!.error).toMatch(/read-only|read_only/i);
    expect(await readOnly()).toBe(0);
    expect(await snap()).toEqual(before);
  });

  it('another session that may write despite read_only is named in a warning, with what to do', async () => {
    const other = await sql(sb.replica); // the sandbox user holds every privilege
    try {
      const [me] = await rows<{ id: number }>(other, 'SELECT CONNECTION_ID() AS id');
      const r = await flush();
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(
          `warning: \\d+ other session\\(s\\) may write despite read_only \\([^)]*\\); .*make sure they write nothing into the selected tables.*connection ${me!.id} sandbox@127\\.0\\.0\\.1`,
        ),
      );
      expect(await snap()).toEqual(before);
    } finally {
      await other.end();
    }
  });

  it('a scheduled event that writes into a selected table: --allow-writers runs anyway, saying so', async () => {
    await withSql(sb.replica, (c) =>
      c.query(`SET sql_log_bin = 0; CREATE EVENT ${S}.later ON SCHEDULE EVERY 1 DAY STARTS NOW() + INTERVAL 1 DAY
        DO INSERT INTO ${S}.small VALUES (99); SET GLOBAL event_scheduler = ON;`),
    );
    try {
      const r = await flush(['--allow-writers']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /enabled events may write into the selected tables: bf_writes\.later .*\(--allow-writers: running anyway\)/,
      );
      expect(await snap()).toEqual(before);
    } finally {
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; DROP EVENT ${S}.later; SET GLOBAL event_scheduler = OFF`),
      );
    }
  });

  it('a scheduled event that writes into a selected table: the flush refuses to start, and every row the event wrote is there', async () => {
    await withSql(sb.replica, (c) =>
      c.query(`SET sql_log_bin = 0; SET GLOBAL event_scheduler = ON;
        CREATE EVENT ${S}.tick ON SCHEDULE EVERY 1 SECOND DO INSERT INTO ${S}.small SELECT MAX(id) + 1 FROM ${S}.small;`),
    );
    try {
      // The event has run (it is enabled and writing) before the flush looks.
      await withSql(sb.replica, (c) =>
        waitUntil(
          'the event to insert its first row',
          async () =>
            Number((await rows<{ n: number }>(c, `SELECT COUNT(*) AS n FROM ${S}.small`))[0]!.n) > 3,
        ),
      );
      const r = await flush();
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toMatch(
        /\[writers\] the event scheduler is ON and these enabled events may write into the selected tables: bf_writes\.tick/,
      );
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      expect(await readOnly()).toBe(0);
    } finally {
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; DROP EVENT ${S}.tick; SET GLOBAL event_scheduler = OFF`),
      );
    }
    // The event's rows form an unbroken sequence from 4 up: none went missing.
    const ids = (
      await withSql(sb.replica, (c) => rows<{ id: number }>(c, `SELECT id FROM ${S}.small ORDER BY id`))
    ).map((x) => Number(x.id));
    expect(ids.length).toBeGreaterThan(3);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DELETE FROM ${S}.small WHERE id > 3`));
    expect(await snap()).toEqual(before);
  });

  it('a trigger on another table that writes into a selected one is named in a warning', async () => {
    await withSql(sb.replica, (c) =>
      c.query(`SET sql_log_bin = 0; CREATE TABLE ${S}.outside (id INT PRIMARY KEY);
        CREATE TRIGGER ${S}.outside_ai AFTER INSERT ON ${S}.outside FOR EACH ROW INSERT INTO ${S}.small VALUES (NEW.id + 100);`),
    );
    try {
      const r = await flush(['--table', `${S}.small`, '--dry-run']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /trigger bf_writes\.outside_ai on bf_writes\.outside writes into bf_writes\.small/,
      );
    } finally {
      await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${S}.outside`));
    }
  });

  it('SIGKILL mid-flush leaves read_only ON (the safe side); recover puts it back, and the journal says so', async () => {
    const hashfile = tempHashfile();
    const killed = await runCliProcess(
      ['flush', '--mycnf', mycnf, '--db', S, '--chunk-size', '500', '--hashfile', hashfile],
      { env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` } },
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(await readOnly()).toBe(1);
    expect(readJournal(hashfile).settings.get('read_only')).toEqual({ from: 'OFF', to: 'ON' });

    const recover = recoverWith(mycnf);
    const rec = await recover(hashfile);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/server setting read_only: turned ON for the run, back to OFF/);
    expect(await readOnly()).toBe(0);
    expect(readJournal(hashfile).settings.size).toBe(0);
    expect(await snap()).toEqual(before);

    const again = await recover(hashfile);
    expect(again.code).toBe(0);
    expect(await readOnly()).toBe(0);
  });

  it('--no-set-read-only leaves read_only OFF and says what that risks', async () => {
    const r = await flush(['--no-set-read-only']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/read_only stays OFF \(--no-set-read-only\).*lost/);
    expect(r.stdout).not.toMatch(/Server setting/);
    expect(await readOnly()).toBe(0);
    expect(await snap()).toEqual(before);
  });
});
