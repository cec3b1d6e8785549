/**
 * Least privilege: the README's minimal grants flush; without any one of them preflight refuses,
 * naming the missing privilege, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';
import { tempHashfile } from '../support/flusher.js';

const sb = inject('sandbox')!;
const S = 'bf_priv';
const PW = 'Lp-pw-9c2e71';

/** The minimal grants, as the README lists them (per flavour). */
export const MINIMAL = {
  mariadb: {
    schema: ['SELECT', 'INSERT', 'CREATE', 'DROP', 'ALTER'],
    global: [
      'BINLOG ADMIN',
      'BINLOG MONITOR',
      'SLAVE MONITOR',
      'REPLICATION SLAVE ADMIN',
      'REPLICATION MASTER ADMIN',
      'READ_ONLY ADMIN',
    ],
  },
  mysql: {
    schema: ['SELECT', 'INSERT', 'CREATE', 'DROP', 'ALTER'],
    // SYSTEM_VARIABLES_ADMIN (for read_only) also lets a session set sql_log_bin and the restricted
    // session variables, so SESSION_VARIABLES_ADMIN adds nothing to this list (MySQL 9.7: a flush
    // without it succeeds).
    global: [
      'REPLICATION CLIENT',
      'REPLICATION SLAVE',
      'REPLICATION_SLAVE_ADMIN',
      'SYSTEM_VARIABLES_ADMIN',
      'CONNECTION_ADMIN',
    ],
  },
};

async function makeUser(name: string, schemaPrivs: string[], globalPrivs: string[]): Promise<void> {
  await withSql(sb.replica, async (c) => {
    await c.query(
      `SET sql_log_bin = 0; DROP USER IF EXISTS '${name}'@'127.0.0.1'; CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY '${PW}'`,
    );
    if (schemaPrivs.length)
      await c.query(
        `SET sql_log_bin = 0; GRANT ${schemaPrivs.join(', ')} ON \`${S}\`.* TO '${name}'@'127.0.0.1'`,
      );
    if (globalPrivs.length)
      await c.query(`SET sql_log_bin = 0; GRANT ${globalPrivs.join(', ')} ON *.* TO '${name}'@'127.0.0.1'`);
  });
}

async function flushAs(user: string, ...extra: string[]) {
  const hashfile = tempHashfile();
  return {
    hashfile,
    ...(await cliAs(user, 'flush', '--db', S, '--hashfile', hashfile, '--start-slave', ...extra)),
  };
}

async function cliAs(user: string, command: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [command, '--host', '127.0.0.1', '--port', String(sb.replica.port), '--user', user, ...args],
    { env: { MYSQL_PWD: PW }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  return { code, stdout, stderr };
}

describe('least privilege', () => {
  const m = MINIMAL[sb.flavour];
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
               CREATE TABLE ${S}.p (id INT PRIMARY KEY); INSERT INTO ${S}.p VALUES (1), (2);
               CREATE TABLE ${S}.c (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES ${S}.p (id)); INSERT INTO ${S}.c VALUES (1, 1);
               CREATE TABLE ${S}.t (id INT PRIMARY KEY, v INT); INSERT INTO ${S}.t VALUES (1, 1);
               CREATE TRIGGER ${S}.t_bi BEFORE INSERT ON ${S}.t FOR EACH ROW SET NEW.v = NEW.v + 1;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('the minimal grants are enough to flush (tables with foreign keys and triggers too)', async () => {
    const before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
    await makeUser('bf_min', m.schema, m.global);
    const r = await flushAs('bf_min');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Result: flushed \(3 of 3 tables/);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  it('verify needs REPLICATION SLAVE: without it, it fails naming the privilege', async () => {
    // MariaDB's minimal flush grants lack it; MySQL's hold it already (SHOW REPLICAS needs it).
    const noSlave = m.global.filter((p) => p !== 'REPLICATION SLAVE');
    await makeUser('bf_min', m.schema, m.global);
    const r = await flushAs('bf_min');
    expect(r.code, r.stderr).toBe(0);
    await makeUser('bf_min', m.schema, noSlave);
    const noDump = await cliAs('bf_min', 'verify', '--hashfile', r.hashfile);
    expect(noDump.code).toBe(6);
    expect(noDump.stderr).toMatch(/verify: reading the binlog failed: .*REPLICATION SLAVE/);
    await makeUser('bf_min', m.schema, [...noSlave, 'REPLICATION SLAVE']);
    const ok = await cliAs('bf_min', 'verify', '--hashfile', r.hashfile);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Result: verified/);
    expect(ok.stdout + ok.stderr + noDump.stderr).not.toContain(PW);
  });

  it.skipIf(sb.flavour !== 'mariadb')(
    '--gtid-domain-id needs SUPER or BINLOG REPLAY (MariaDB): refused naming them, then flushed with BINLOG REPLAY',
    async () => {
      const before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
      await makeUser('bf_min', m.schema, m.global);
      const refused = await flushAs('bf_min', '--gtid-domain-id', '91');
      expect(refused.code, refused.stderr).toBe(3);
      expect(refused.stderr).toMatch(/\[gtid_domain_id\] this session cannot set gtid_domain_id/);
      expect(refused.stderr).toMatch(/grant the flush user SUPER or BINLOG REPLAY/);
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      await makeUser('bf_min', m.schema, [...m.global, 'BINLOG REPLAY']);
      const ok = await flushAs('bf_min', '--gtid-domain-id', '91');
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(
        /GTIDs written by the flush on this replica: 91-2-1\.\.91-2-\d+ \(GTID domain 91\)/,
      );
    },
  );

  const without = [
    ...MINIMAL[sb.flavour].schema.map((p) => ['schema', p] as const),
    ...MINIMAL[sb.flavour].global.map((p) => ['global', p] as const),
  ];
  it.each(without)(
    'without %s privilege %s: preflight refuses naming it, nothing changes',
    async (kind, priv) => {
      const before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
      await makeUser(
        'bf_less',
        m.schema.filter((p) => kind !== 'schema' || p !== priv),
        m.global.filter((p) => kind !== 'global' || p !== priv),
      );
      const r = await flushAs('bf_less');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toContain(priv);
      expect(r.stderr).toMatch(/nothing was changed/);
      expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
      expect(await replicaRunning(sb.replica)).toBe(true);
      expect(r.stdout + r.stderr).not.toContain(PW);
    },
  );
});
