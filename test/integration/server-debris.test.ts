/**
 * What MariaDB's own crash recovery can leave after the server dies in the middle of DDL on a
 * partitioned table (seen in the torture test's restart rounds, about one in 36): engine files under
 * a name with no definition, or a definition whose rows are in the engine under the backup's name.
 * Built here by hand on the local sandbox's datadir, after a flush killed with a table set aside:
 * recover must never call such a table "in place", must say what it is with the steps, and after a
 * DBA follows them must finish with the table identical.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { tempHashfile } from '../support/flusher.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const S = 'bf_debris';

const q = (n: string) => `\`${S}\`.\`${n}\``;
const dir = () => join(sb.replica.datadir!, S);

/** A flush killed right after `parted` was set aside: its backup holds the rows, nothing is under the name. */
async function setAside(): Promise<{ hashfile: string; backup: string }> {
  const hashfile = tempHashfile();
  const run = await runCliProcess(
    ['flush', '--mycnf', mycnfFor(sb.replica), '--db', S, '--hashfile', hashfile],
    { env: { BINLOG_FLUSHER_FAULT: `after-set-aside@${S}.parted` } },
  );
  expect(run.signal, run.stderr).toBe('SIGKILL');
  const backup = readJournal(hashfile).tables.find((t) => t.table === 'parted')!.backup;
  return { hashfile, backup };
}

async function recover(hashfile: string) {
  const r = await runCliProcess([
    'recover',
    '--mycnf',
    mycnfFor(sb.replica),
    '--hashfile',
    hashfile,
    '--json',
  ]);
  const tables =
    r.code === 0 || r.code === 5
      ? (JSON.parse(r.stdout) as { tables: { table: string; outcome: string; detail: string }[] }).tables
      : [];
  return { ...r, parted: tables.find((t) => t.table === 'parted') };
}

describe.skipIf(sb.flavour !== 'mariadb' || sb.kind !== 'local' || !sb.replica.datadir)(
  "debris of the server's own crash recovery under a set-aside table's name (MariaDB, partitioned; local sandbox with its datadir only: the debris is built by hand in the datadir)",
  () => {
    let before: Awaited<ReturnType<typeof snapshotSchema>>;
    beforeAll(async () => {
      await startReplica(sb.replica).catch(() => undefined);
      await withSql(sb.primary, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
          CREATE TABLE ${S}.parted (id INT NOT NULL PRIMARY KEY, v INT) PARTITION BY RANGE (id)
            (PARTITION a VALUES LESS THAN (1000), PARTITION b VALUES LESS THAN MAXVALUE);
          INSERT INTO ${S}.parted SELECT seq, seq FROM ${S}.seq_1_to_2000;
          CREATE TABLE ${S}.plain (id INT PRIMARY KEY); INSERT INTO ${S}.plain VALUES (1), (2);`),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
    });
    afterAll(async () => {
      await startReplica(sb.replica).catch(() => undefined);
    });

    it('engine files without a definition hold the name: recover names them with the steps, and finishes after them', async () => {
      const { hashfile, backup } = await setAside();
      // The state an interrupted partitioned CREATE TABLE leaves: .par and partitions, no .frm.
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; CREATE TABLE ${q('parted')} LIKE ${q(backup)}`),
      );
      rmSync(join(dir(), 'parted.frm'));
      await withSql(sb.replica, (c) => c.query('FLUSH LOCAL TABLES'));

      const r = await recover(hashfile);
      expect(r.code, r.stderr).toBe(5);
      expect(r.parted?.outcome).toBe('engine-debris');
      expect(r.parted?.detail).toMatch(
        /engine files without a table definition under it \(bf_debris\/parted#P#a, bf_debris\/parted#P#b\)/,
      );
      expect(r.parted?.detail).toContain(`The table itself is safe as ${S}.${backup}`);

      // The steps, as a DBA on the host runs them.
      const donor = `${backup}_frm`;
      expect(r.parted?.detail).toContain(`CREATE TABLE \`${S}\`.\`${donor}\` LIKE \`${S}\`.\`${backup}\``);
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; CREATE TABLE ${q(donor)} LIKE ${q(backup)}`),
      );
      copyFileSync(join(dir(), `${donor}.frm`), join(dir(), 'parted.frm'));
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; DROP TABLE ${q('parted')}, ${q(donor)}`),
      );

      const again = await recover(hashfile);
      expect(again.code, again.stderr).toBe(0);
      expect(again.parted?.outcome).toBe('renamed-back');
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });

    it('a definition without its rows under the name, the rows under the backup: never "in place"; the steps bring it back', async () => {
      const { hashfile, backup } = await setAside();
      // A rename the server finished for the definition only.
      for (const ext of ['.frm', '.par']) renameSync(join(dir(), backup + ext), join(dir(), `parted${ext}`));
      await withSql(sb.replica, (c) => c.query('FLUSH LOCAL TABLES'));

      const r = await recover(hashfile);
      expect(r.code, r.stderr).toBe(5);
      expect(r.parted?.outcome).toBe('engine-debris');
      expect(r.parted?.detail).toMatch(
        /rename parted\.frm to _bf_[0-9a-f]{8}_\d+\.frm \(and parted\.par to /,
      );

      for (const ext of ['.frm', '.par'])
        if (existsSync(join(dir(), `parted${ext}`)))
          renameSync(join(dir(), `parted${ext}`), join(dir(), backup + ext));
      await withSql(sb.replica, (c) => c.query('FLUSH LOCAL TABLES'));

      const again = await recover(hashfile);
      expect(again.code, again.stderr).toBe(0);
      expect(again.parted?.outcome).toBe('renamed-back');
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });
    it("the empty shell's definition without data under the name (a crash mid-CREATE), the rows under the backup: dropped, the table back", async () => {
      const hashfile = tempHashfile();
      const run = await runCliProcess(
        ['flush', '--mycnf', mycnfFor(sb.replica), '--db', S, '--hashfile', hashfile],
        { env: { BINLOG_FLUSHER_FAULT: `after-ddl@${S}.parted` } },
      );
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const backup = readJournal(hashfile).tables.find((t) => t.table === 'parted')!.backup;
      // What the server's crash recovery can leave of the shell: its definition, no partitions.
      await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${q('parted')}`));
      for (const ext of ['.frm', '.par'])
        copyFileSync(join(dir(), backup + ext), join(dir(), `parted${ext}`));
      await withSql(sb.replica, (c) => c.query('FLUSH LOCAL TABLES'));
      await expect(
        withSql(sb.replica, (c) => c.query(`SELECT * FROM ${q('parted')} LIMIT 0`)),
      ).rejects.toThrow(/doesn't exist in engine/);

      const r = await recover(hashfile);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.parted?.outcome).toBe('shell-replaced');
      expect(r.parted?.detail).toContain(
        "its empty shell, a definition the server's crash recovery left without data, dropped",
      );
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });
  },
);
