/** Test helpers that talk SQL to the sandbox servers. */
import mysql from 'mysql2/promise';
import type { ServerInfo } from '../sandbox/types.js';
import type { ConnectionSettings } from '../../src/model/settings.js';

export async function sql(server: ServerInfo): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4_general_ci',
  });
}

export async function withSql<T>(server: ServerInfo, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await sql(server);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function rows<T = Record<string, unknown>>(
  c: mysql.Connection,
  q: string,
  params?: unknown[],
): Promise<T[]> {
  const [r] = await c.query(q, params);
  return r as T[];
}

export function settingsFor(server: ServerInfo): ConnectionSettings {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    ssl: { mode: 'DISABLED' },
  };
}

/** Wait until the replica has applied everything the primary has written. */
export async function waitCaughtUp(primary: ServerInfo, replica: ServerInfo): Promise<void> {
  await withSql(primary, async (p) =>
    withSql(replica, async (r) => {
      if (primary.flavour === 'mariadb') {
        const [g] = await rows<{ g: string }>(p, 'SELECT @@GLOBAL.gtid_binlog_pos AS g');
        const [w] = await rows<{ w: number }>(r, 'SELECT MASTER_GTID_WAIT(?, 60) AS w', [g!.g]);
        if (Number(w!.w) !== 0) throw new Error('replica did not catch up in 60 s');
      } else {
        const [g] = await rows<{ g: string }>(p, 'SELECT @@GLOBAL.gtid_executed AS g');
        const [w] = await rows<{ w: number }>(r, 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, 60) AS w', [g!.g]);
        if (Number(w!.w) !== 0) throw new Error('replica did not catch up in 60 s');
      }
    }),
  );
}

export async function startReplica(replica: ServerInfo): Promise<void> {
  await withSql(replica, (c) => c.query(replica.flavour === 'mariadb' ? 'START SLAVE' : 'START REPLICA'));
}

export async function replicaRunning(replica: ServerInfo): Promise<boolean> {
  return withSql(replica, async (c) => {
    const r = await rows(c, replica.flavour === 'mariadb' ? 'SHOW SLAVE STATUS' : 'SHOW REPLICA STATUS');
    const row = r[0] ?? {};
    return String(row.Slave_SQL_Running ?? row.Replica_SQL_Running) === 'Yes';
  });
}

export const q = (name: string) => '`' + name.replaceAll('`', '``') + '`';

/**
 * Waits until no other client session runs a statement (replication threads aside). A client that
 * froze or died may have sent a statement the server is still running: the server's state is only
 * stable to compare once that statement ended.
 */
export async function waitStatementsDone(server: ServerInfo, ms = 60_000): Promise<void> {
  await withSql(server, async (c) => {
    const end = Date.now() + ms;
    for (;;) {
      const [n] = await rows<{ n: number }>(
        c,
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
          WHERE ID <> CONNECTION_ID() AND USER = ? AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump')`,
        [server.user],
      );
      if (Number(n!.n) === 0) return;
      if (Date.now() > end) throw new Error(`statements of other sessions still run after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
}
