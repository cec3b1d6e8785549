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
    global: [
      'SESSION_VARIABLES_ADMIN',
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

async function flushAs(user: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [
      'flush',
      '--host',
      '127.0.0.1',
      '--port',
      String(sb.replica.port),
      '--user',
      user,
      '--db',
      S,
      '--hashfile',
      tempHashfile(),
      '--start-slave',
    ],
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
