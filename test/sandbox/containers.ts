/**
 * The same sandbox through testcontainers (where a Docker engine exists): a primary and a replica
 * container on one Docker network, their ports mapped to 127.0.0.1.
 * Images: mariadb:<tag> (MariaDB), any other (mysql:<tag>, percona/percona-server:<tag>) is MySQL.
 * The CI matrix runs mysql 8.0, 8.4 and 9, mariadb 10.6, 10.11, 11.4 and 11.8, and Percona Server
 * 8.0 and 8.4. The tests see no datadir; they read the binlog with the container's own reader
 * (`docker exec`, over the replication protocol).
 */
import { GenericContainer, Network, Wait, type StartedTestContainer } from 'testcontainers';
import mysql from 'mysql2/promise';
import type { RunningSandbox } from './index.js';
import type { Flavour, ServerInfo } from './types.js';
import { sandboxUsersSql } from './types.js';
import { SANDBOX_PASSWORD } from './local.js';
import { waitUntil } from '../support/process.js';

const ROOT_PW = 'root-pw-sandbox';

function commandFor(flavour: Flavour, serverId: number): string[] {
  const common = [`--server-id=${serverId}`, '--log-bin=binlog', '--binlog-format=ROW'];
  return flavour === 'mariadb'
    ? [...common, '--log-slave-updates', '--plugin-load-add=ha_blackhole']
    : [...common, '--log-replica-updates', '--gtid-mode=ON', '--enforce-gtid-consistency=ON'];
}

/** The port the servers listen on inside their containers. */
const INNER_PORT = 3306;

/** mariadb:<tag> (and MariaDB's own mariadb/... images) is MariaDB; any other image is MySQL. */
export function flavourOfImage(image: string): Flavour {
  return image.startsWith('mariadb') ? 'mariadb' : 'mysql';
}

/**
 * Root on a container's mapped port, once the server that answers there is the one the image's
 * entrypoint started last (its first, while it initialises, listens on no TCP port).
 */
async function rootConnection(
  c: StartedTestContainer,
  multipleStatements = false,
): Promise<mysql.Connection> {
  let conn: mysql.Connection | undefined;
  let last = '';
  await waitUntil(
    `root to connect to ${c.getName()} on port ${c.getMappedPort(INNER_PORT)}`,
    async () => {
      try {
        conn = await mysql.createConnection({
          host: '127.0.0.1',
          port: c.getMappedPort(INNER_PORT),
          user: 'root',
          password: ROOT_PW,
          multipleStatements,
        });
        return true;
      } catch (e) {
        last = (e as Error).message;
        return false;
      }
    },
    120_000,
    () => last,
  );
  return conn!;
}

export async function startContainerSandbox(image: string): Promise<RunningSandbox> {
  const flavour = flavourOfImage(image);
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await network.stop().catch(() => undefined);
  };
  try {
    const make = (alias: string, serverId: number) =>
      new GenericContainer(image)
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withEnvironment(
          flavour === 'mariadb' ? { MARIADB_ROOT_PASSWORD: ROOT_PW } : { MYSQL_ROOT_PASSWORD: ROOT_PW },
        )
        .withCommand(commandFor(flavour, serverId))
        .withExposedPorts(INNER_PORT)
        // The port listened on inside: the server the entrypoint starts to initialise listens on none.
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(180_000)
        .start();
    const p = await make('primary', 1);
    started.push(p);
    const r = await make('replica', 2);
    started.push(r);
    const info = (c: StartedTestContainer, name: 'primary' | 'replica'): ServerInfo => ({
      name,
      host: '127.0.0.1',
      port: c.getMappedPort(INNER_PORT),
      user: 'sandbox',
      password: SANDBOX_PASSWORD,
      flavour,
      container: { id: c.getId(), port: INNER_PORT },
      binlogReader: flavour === 'mariadb' ? 'mariadb-binlog' : 'mysqlbinlog',
    });
    for (const c of [p, r]) {
      const conn = await rootConnection(c, true);
      try {
        await conn.query(sandboxUsersSql('%', SANDBOX_PASSWORD));
      } finally {
        await conn.end();
      }
    }
    const conn = await rootConnection(r);
    try {
      await conn.query(
        flavour === 'mariadb'
          ? "CHANGE MASTER TO MASTER_HOST='primary', MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos"
          : "CHANGE REPLICATION SOURCE TO SOURCE_HOST='primary', SOURCE_USER='repl', SOURCE_PASSWORD='repl-pw', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1",
      );
      await conn.query(flavour === 'mariadb' ? 'START SLAVE' : 'START REPLICA');
    } finally {
      await conn.end();
    }
    return {
      info: {
        kind: 'container',
        source: `container:${image}`,
        flavour,
        primary: info(p, 'primary'),
        replica: info(r, 'replica'),
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
