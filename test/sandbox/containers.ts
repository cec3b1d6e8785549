/**
 * The same sandbox through testcontainers (where a Docker engine exists): a primary and a replica
 * container on one Docker network, their ports mapped to 127.0.0.1.
 * Images: mysql:8.0, mysql:8.4, mariadb:11.4 (any tag of those).
 */
import { GenericContainer, Network, Wait, type StartedTestContainer } from 'testcontainers';
import mysql from 'mysql2/promise';
import type { RunningSandbox } from './index.js';
import type { Flavour, ServerInfo } from './types.js';
import { sandboxUsersSql } from './types.js';
import { SANDBOX_PASSWORD } from './local.js';

const ROOT_PW = 'root-pw-sandbox';

function commandFor(flavour: Flavour, serverId: number): string[] {
  const common = [`--server-id=${serverId}`, '--log-bin=binlog', '--binlog-format=ROW'];
  return flavour === 'mariadb'
    ? [...common, '--log-slave-updates', '--plugin-load-add=ha_blackhole']
    : [...common, '--log-replica-updates', '--gtid-mode=ON', '--enforce-gtid-consistency=ON'];
}

export async function startContainerSandbox(image: string): Promise<RunningSandbox> {
  const flavour: Flavour = image.startsWith('mariadb') ? 'mariadb' : 'mysql';
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
        .withExposedPorts(3306)
        .withWaitStrategy(Wait.forLogMessage(/ready for connections/, flavour === 'mariadb' ? 1 : 2))
        .start();
    const p = await make('primary', 1);
    started.push(p);
    const r = await make('replica', 2);
    started.push(r);
    const info = (c: StartedTestContainer, name: 'primary' | 'replica'): ServerInfo => ({
      name,
      host: '127.0.0.1',
      port: c.getMappedPort(3306),
      user: 'sandbox',
      password: SANDBOX_PASSWORD,
      flavour,
    });
    for (const c of [p, r]) {
      const conn = await mysql.createConnection({
        host: '127.0.0.1',
        port: c.getMappedPort(3306),
        user: 'root',
        password: ROOT_PW,
        multipleStatements: true,
      });
      try {
        await conn.query(sandboxUsersSql('%', SANDBOX_PASSWORD));
      } finally {
        await conn.end();
      }
    }
    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: r.getMappedPort(3306),
      user: 'root',
      password: ROOT_PW,
    });
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
