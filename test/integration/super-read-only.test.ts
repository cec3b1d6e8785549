/**
 * super_read_only, the usual setting of a MySQL replica, refuses even the run's own renames. The run
 * turns it OFF for its duration with read_only kept ON (journaled first) and puts it back at the end;
 * after a crash, `recover` and the action's post step put it back. MariaDB has no super_read_only.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { startStandIn, type StandIn } from '../support/github-standin.js';
import { newJob, runStep } from '../support/action-runner.js';
import { procState, waitFor } from '../support/process.js';
import { readJournal } from '../../src/journal/journal.js';

const sb = inject('sandbox')!;
const S = 'bf_sro';
const PW = 'Sro-pw-4be81d';
/** The README's minimal MySQL grants (as in privileges.test.ts). */
const MINIMAL_GLOBAL = [
  'SESSION_VARIABLES_ADMIN',
  'REPLICATION CLIENT',
  'REPLICATION SLAVE',
  'REPLICATION_SLAVE_ADMIN',
  'SYSTEM_VARIABLES_ADMIN',
  'CONNECTION_ADMIN',
];

const switches = () =>
  withSql(sb.replica, async (c) => {
    const [r] = await rows<{ ro: number; sro: number }>(
      c,
      'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.super_read_only AS sro',
    );
    return { read_only: Number(r!.ro), super_read_only: Number(r!.sro) };
  });
const BOTH_ON = { read_only: 1, super_read_only: 1 };
/** What the run holds: read_only ON, super_read_only OFF. */
const HELD = { read_only: 1, super_read_only: 0 };
const setSuperReadOnly = (on: boolean) =>
  withSql(sb.replica, (c) => c.query(`SET GLOBAL super_read_only = ${on ? 'ON' : 'OFF'}`));

/** The journal's records, in order. */
const records = (hashfile: string) =>
  readFileSync(hashfile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; name?: string; step?: string });

describe.skipIf(sb.flavour !== 'mysql')(
  'super_read_only ON (MySQL only: MariaDB has no super_read_only)',
  () => {
    let before: SchemaSnapshot;
    let mycnf: string;
    const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, S));
    const flushArgs = (hashfile: string) => [
      'flush',
      '--mycnf',
      mycnf,
      '--db',
      S,
      '--chunk-size',
      '500',
      '--hashfile',
      hashfile,
    ];

    beforeAll(async () => {
      await setSuperReadOnly(false);
      await withSql(sb.replica, (c) => c.query('SET GLOBAL read_only = OFF'));
      await startReplica(sb.replica).catch(() => undefined);
      await withSql(sb.primary, (c) =>
        c.query(`SET SESSION cte_max_recursion_depth = 100000000;
          DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; USE ${S};
          CREATE TABLE big (id INT PRIMARY KEY, v CHAR(30)) ENGINE=InnoDB;
          INSERT INTO big SELECT seq, 'v' FROM (${seqSql(false, 20000)}) s;
          CREATE TABLE small (id INT PRIMARY KEY) ENGINE=InnoDB;
          INSERT INTO small VALUES (1), (2), (3);
          CREATE TABLE other (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB;
          INSERT INTO other VALUES (1, 'a'), (2, 'b');`),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      // Users are made before super_read_only goes ON (it refuses CREATE USER too).
      await withSql(sb.replica, async (c) => {
        for (const [name, globals] of [
          ['bf_sro_min', MINIMAL_GLOBAL],
          ['bf_sro_nosys', MINIMAL_GLOBAL.filter((p) => p !== 'SYSTEM_VARIABLES_ADMIN')],
        ] as const) {
          await c.query(`SET sql_log_bin = 0; DROP USER IF EXISTS '${name}'@'127.0.0.1';
            CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY '${PW}';
            GRANT SELECT, INSERT, CREATE, DROP, ALTER ON ${S}.* TO '${name}'@'127.0.0.1';
            GRANT ${globals.join(', ')} ON *.* TO '${name}'@'127.0.0.1';`);
        }
      });
      before = await snap();
      mycnf = mycnfFor(sb.replica);
    });
    beforeEach(async () => {
      await startReplica(sb.replica).catch(() => undefined);
      await setSuperReadOnly(true);
      expect(await switches()).toEqual(BOTH_ON);
    });
    afterAll(async () => {
      // read_only OFF turns super_read_only OFF too: the sandbox as the other test files expect it.
      await withSql(sb.replica, (c) =>
        c.query(`SET GLOBAL read_only = OFF; SET sql_log_bin = 0;
          DROP USER IF EXISTS 'bf_sro_min'@'127.0.0.1'; DROP USER IF EXISTS 'bf_sro_nosys'@'127.0.0.1'`),
      );
      await startReplica(sb.replica).catch(() => undefined);
    });

    it('is no longer refused: flushed with exit 0, super_read_only journaled before the first change, ON again after', async () => {
      const hashfile = tempHashfile();
      const r = await runCliProcess(flushArgs(hashfile));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/super_read_only is ON: no session may rename/);
      expect(r.stdout).toMatch(/Result: flushed \(3 of 3 tables/);
      expect(r.stdout).toMatch(/Server setting super_read_only: turned OFF for the run, back to ON/);
      expect(r.stdout).not.toMatch(/Server setting read_only/);
      expect(await switches()).toEqual(BOTH_ON);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);

      const recs = records(hashfile);
      const held = recs.findIndex((x) => x.type === 'setting' && x.name === 'super_read_only');
      const firstStep = recs.findIndex((x) => x.type === 'step');
      const back = recs.findIndex((x) => x.type === 'setting-restored' && x.name === 'super_read_only');
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(firstStep);
      expect(back).toBeGreaterThan(recs.findLastIndex((x) => x.type === 'table-done'));
      expect(recs.some((x) => x.name === 'read_only')).toBe(false);
      expect(readJournal(hashfile).settings.size).toBe(0);
    });

    it('SIGKILL mid-copy: super_read_only stays OFF with read_only ON; recover puts it back ON; a second recover changes nothing', async () => {
      const hashfile = tempHashfile();
      const killed = await runCliProcess(flushArgs(hashfile), {
        env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` },
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(await switches()).toEqual(HELD);
      expect(await withSql(sb.replica, leftovers)).not.toEqual([]);
      expect(readJournal(hashfile).settings.get('super_read_only')).toEqual({ from: 'ON', to: 'OFF' });

      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(rec.stdout).toMatch(/server setting super_read_only: turned OFF for the run, back to ON/);
      expect(await switches()).toEqual(BOTH_ON);
      expect(readJournal(hashfile).settings.size).toBe(0);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);

      const again = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout + again.stderr).not.toMatch(/super_read_only/);
      expect(await switches()).toEqual(BOTH_ON);
    });

    it('SIGKILL mid-copy, then super_read_only ON again (as a restart with it in my.cnf does): recover turns it OFF for itself, puts every table back, and ON again', async () => {
      const hashfile = tempHashfile();
      const killed = await runCliProcess(flushArgs(hashfile), {
        env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` },
      });
      expect(killed.signal).toBe('SIGKILL');
      await setSuperReadOnly(true);
      expect(await withSql(sb.replica, leftovers)).not.toEqual([]);

      const rec = await runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(rec.stderr + rec.stdout).toMatch(/super_read_only is ON: turned OFF for the recovery/);
      expect(rec.stdout).toMatch(/server setting super_read_only: turned OFF for the run, back to ON/);
      expect(await switches()).toEqual(BOTH_ON);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      expect(readJournal(hashfile).settings.size).toBe(0);
    });

    it('someone turns read_only OFF while the run holds super_read_only OFF (a promotion): left as it is, and said so', async () => {
      let pid = 0;
      const hashfile = tempHashfile();
      const run = runCliProcess(flushArgs(hashfile), {
        env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big:SIGSTOP` },
        onSpawn: (p) => (pid = p),
      });
      expect(
        await waitFor(() => pid !== 0 && procState(pid) === 'T', 60_000),
        'the flush stops itself mid-copy',
      ).toBe(true);
      try {
        expect(await switches()).toEqual(HELD);
        await withSql(sb.replica, (c) => c.query('SET GLOBAL read_only = OFF'));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const r = await run;
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /Server setting super_read_only: turned OFF for the run, not put back to ON: read_only was turned OFF by someone since.*left as it is/,
      );
      expect(await switches()).toEqual({ read_only: 0, super_read_only: 0 });
      expect(readJournal(hashfile).settings.size).toBe(0);
      expect(await snap()).toEqual(before);
    });

    it('--no-set-read-only touches neither switch, so super_read_only ON is refused with the fix, and nothing changes', async () => {
      const r = await runCliProcess([...flushArgs(tempHashfile()), '--no-set-read-only']);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toMatch(
        /super_read_only is ON: no session may rename or create tables, and --no-set-read-only keeps the run from turning it OFF\n\s+fix: drop --no-set-read-only/,
      );
      expect(await switches()).toEqual(BOTH_ON);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });

    it('a user without SYSTEM_VARIABLES_ADMIN is refused naming it; the minimal grants flush', async () => {
      const as = (user: string) =>
        runCliProcess(
          [
            'flush',
            '--host',
            sb.replica.host,
            '--port',
            String(sb.replica.port),
            '--user',
            user,
            '--db',
            S,
            '--hashfile',
            tempHashfile(),
          ],
          { env: { MYSQL_PWD: PW } },
        );
      const refused = await as('bf_sro_nosys');
      expect(refused.code, refused.stdout + refused.stderr).toBe(3);
      expect(refused.stderr).toMatch(
        /super_read_only is ON \(no session may rename or create tables\) and this user may not turn it OFF for the run\n\s+fix: GRANT SYSTEM_VARIABLES_ADMIN ON \*\.\* TO the flush user/,
      );
      expect(await switches()).toEqual(BOTH_ON);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);

      const ok = await as('bf_sro_min');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(await switches()).toEqual(BOTH_ON);
      expect(await snap()).toEqual(before);
    });

    describe('the GitHub Action (the committed bundle)', () => {
      let standIn: StandIn;
      beforeAll(async () => {
        standIn = await startStandIn();
      });
      afterAll(async () => {
        await standIn?.close();
      });

      it('main killed with SIGKILL mid-flush: super_read_only OFF in between; the post step puts it back ON', async () => {
        const job = newJob(standIn, 901);
        const inputs = {
          mode: 'flush',
          host: sb.replica.host,
          port: String(sb.replica.port),
          user: sb.replica.user,
          password: sb.replica.password,
          databases: S,
          'chunk-size': '500',
          'artifact-name': 'journal-sro',
        };
        const main = await runStep(job, 'main', inputs, {
          env: { BINLOG_FLUSHER_FAULT: `mid-copy@${S}.big` },
        });
        expect(main.signal, main.stdout + main.stderr).toBe('SIGKILL');
        expect(await switches()).toEqual(HELD);
        const post = await runStep(job, 'post', inputs);
        expect(post.code, post.stdout + post.stderr).toBe(0);
        expect(post.stdout).toMatch(/every table is back in place/);
        expect(post.summary).toMatch(/super_read_only: turned OFF for the run, back to ON/);
        expect(await switches()).toEqual(BOTH_ON);
        expect(await snap()).toEqual(before);
        expect(await withSql(sb.replica, leftovers)).toEqual([]);
      });
    });
  },
);
