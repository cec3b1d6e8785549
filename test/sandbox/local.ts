/**
 * A real primary + replica on loopback, started in a temporary directory from the host's server
 * binaries (mariadbd or mysqld on PATH) or from a flavour's Debian root with chroot (binaries.ts).
 * Used by the tests, the demo, the benchmark and the torture test.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import {
  binariesFor,
  hostCommand,
  MissingServerError,
  inside,
  sandboxParent,
  type LocalKind,
  type ServerBinaries,
} from './binaries.js';
import type { SandboxInfo, ServerInfo } from './types.js';
import { sandboxUsersSql } from './types.js';

export { findBinary, MissingServerError } from './binaries.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const ADMIN_USER = 'sandbox';
/** A throwaway password for throwaway servers; tests grep every output for it. */
export const SANDBOX_PASSWORD = 'Sbx-pw-7f3c91d2e';

export interface LocalServer extends ServerInfo {
  proc?: ChildProcess;
  args: string[];
  binary: string;
}

/** A test CA and a server certificate for 127.0.0.1 (IP SAN only, so "localhost" must fail identity checks). */
export function makeTestCertificates(dir: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca-key.pem'),
    '-out',
    f('ca.pem'),
    '-days',
    '3',
    '-subj',
    '/CN=binlog-flusher test CA',
  ]);
  ssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('server-key.pem'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca-key.pem'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '3',
    '-extfile',
    f('ext.cnf'),
  ]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server-key.pem') };
}

/**
 * A server's private temporary directory, beside (not inside) its datadir: a starting server deletes
 * every `#sql*` file in its tmpdir, so servers that shared one (the default, /tmp) would delete each
 * other's temporary tables mid-query.
 */
export function privateTmpdir(datadir: string): string {
  return `${datadir}-tmp`;
}

type Tls = { ca: string; cert: string; key: string };

/** The server's options; every path as the server sees it (`at`: host path to the server's path). */
function serverArgs(
  bin: ServerBinaries,
  datadir: string,
  port: number,
  serverId: number,
  tls?: Tls,
): string[] {
  const at = (p: string) => inside(bin, p);
  const a = [
    '--no-defaults',
    `--datadir=${at(datadir)}`,
    `--tmpdir=${at(privateTmpdir(datadir))}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${at(join(datadir, 'mysql.sock'))}`,
    `--pid-file=${at(join(datadir, 'mysqld.pid'))}`,
    `--log-error=${at(join(datadir, 'error.log'))}`,
    `--server-id=${serverId}`,
    `--log-bin=${at(join(datadir, 'binlog'))}`,
    '--binlog-format=ROW',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-connections=300',
    '--max-allowed-packet=64M',
  ];
  if (bin.flavour === 'mariadb') {
    a.push(
      '--log-slave-updates',
      '--plugin-load-add=ha_blackhole',
      '--plugin-load-add=ha_archive', // for the ARCHIVE scenario
      '--innodb-log-file-size=256M',
    );
  } else {
    a.push(
      '--log-replica-updates',
      '--gtid-mode=ON',
      '--enforce-gtid-consistency=ON',
      '--mysqlx=OFF',
      // MySQL 8.0.30+ sizes the redo log with this (innodb_log_file_size is unknown to 9.x).
      '--innodb-redo-log-capacity=512M',
      // Debian's default secure_file_priv folder is not in a minimal root.
      '--secure-file-priv=',
    );
  }
  if (tls) a.push(`--ssl-ca=${at(tls.ca)}`, `--ssl-cert=${at(tls.cert)}`, `--ssl-key=${at(tls.key)}`);
  if (process.getuid?.() === 0) a.push('--user=root');
  return a;
}

async function rootConnect(s: LocalServer): Promise<mysql.Connection> {
  return mysql.createConnection({
    socketPath: join(s.datadir!, 'mysql.sock'),
    user: 'root',
    multipleStatements: true,
  });
}

async function waitReady(s: LocalServer, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    if (s.proc && s.proc.exitCode !== null) break;
    try {
      const c = await rootConnect(s);
      await c.end();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  let log = '';
  try {
    log = execFileSync('tail', ['-n', '30', join(s.datadir!, 'error.log')], { encoding: 'utf8' });
  } catch {
    // no log yet
  }
  throw new Error(`server ${s.name} did not start: ${String(last)}\n${log}`);
}

export function startProcess(s: LocalServer): void {
  s.proc = spawn(s.binary, s.args, { stdio: 'ignore' });
  s.proc.on('error', () => undefined);
}

export async function stopProcess(s: LocalServer, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const p = s.proc;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

/** Stop whatever server runs from this datadir (by its pid file), waiting until it is gone. */
export async function killByPidFile(datadir: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(datadir, 'mysqld.pid'), 'utf8').trim());
  } catch {
    return;
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!pid || !alive()) return;
  process.kill(pid, signal);
  for (let i = 0; i < 300 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** Start a server again from its recorded command (after a test killed it). */
export async function startAgain(info: {
  command?: { binary: string; args: string[] };
  datadir?: string;
  name: 'primary' | 'replica';
}): Promise<void> {
  if (!info.command || !info.datadir) throw new Error('only local sandbox servers can be restarted');
  const child = spawn(info.command.binary, info.command.args, { stdio: 'ignore', detached: true });
  child.unref();
  const s = { ...info, datadir: info.datadir } as LocalServer;
  await waitReady(s);
}

export async function restartServer(s: LocalServer): Promise<void> {
  startProcess(s);
  await waitReady(s);
}

function initDatadir(bin: ServerBinaries, datadir: string): void {
  mkdirSync(privateTmpdir(datadir), { recursive: true });
  const at = (p: string) => inside(bin, p);
  const common = ['--no-defaults', `--datadir=${at(datadir)}`, `--tmpdir=${at(privateTmpdir(datadir))}`];
  const root = process.getuid?.() === 0 ? ['--user=root'] : [];
  let cmd: { binary: string; args: string[] };
  if (bin.flavour === 'mariadb') {
    if (!bin.installer)
      throw new MissingServerError('mariadbd was found, but not mariadb-install-db beside it');
    // --force: no host name lookup (a minimal root cannot resolve this host's name).
    const args = [
      ...common,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--force',
      ...root,
    ];
    cmd = hostCommand(bin, bin.installer, args);
  } else {
    cmd = hostCommand(bin, bin.server, [...common, '--initialize-insecure', '--secure-file-priv=', ...root]);
  }
  execFileSync(cmd.binary, cmd.args, { stdio: 'pipe' });
}

/** A server of ours on a free loopback port, from an initialised datadir (not started yet). */
async function localServer(
  name: 'primary' | 'replica',
  datadir: string,
  serverId: number,
  bin: ServerBinaries,
  tls?: Tls,
): Promise<LocalServer> {
  const port = await freePort();
  const cmd = hostCommand(bin, bin.server, serverArgs(bin, datadir, port, serverId, tls));
  return {
    name,
    host: '127.0.0.1',
    port,
    user: ADMIN_USER,
    password: SANDBOX_PASSWORD,
    datadir,
    chroot: bin.chroot,
    binlogReader: bin.binlogReader,
    flavour: bin.flavour,
    binary: cmd.binary,
    args: cmd.args,
    tlsCa: tls?.ca,
  };
}

export interface LocalSandbox extends SandboxInfo {
  servers: { primary: LocalServer; replica: LocalServer };
  stop(): Promise<void>;
}

/** Start a primary and a replica replicating from it. */
export async function startLocalSandbox(opts: { kind?: LocalKind } = {}): Promise<LocalSandbox> {
  const bin = binariesFor(opts.kind ?? 'local');
  const root = mkdtempSync(join(sandboxParent(bin), 'bf-sandbox-'));
  const base = join(root, 'base');
  initDatadir(bin, base);
  let tls: Tls | undefined;
  try {
    tls = makeTestCertificates(join(root, 'tls'));
  } catch {
    tls = undefined; // no openssl: the TLS tests skip themselves
  }
  const make = async (name: 'primary' | 'replica', serverId: number): Promise<LocalServer> => {
    const datadir = join(root, name);
    cpSync(base, datadir, { recursive: true });
    mkdirSync(privateTmpdir(datadir), { recursive: true });
    rmSync(join(datadir, 'auto.cnf'), { force: true });
    return localServer(name, datadir, serverId, bin, tls);
  };
  const primary = await make('primary', 1);
  const replica = await make('replica', 2);
  rmSync(base, { recursive: true, force: true });
  rmSync(privateTmpdir(base), { recursive: true, force: true });
  const stop = async () => {
    await Promise.all([stopProcess(replica), stopProcess(primary)]);
    // A test may have killed a server and started it again outside our handles.
    for (const s of [primary, replica]) await killByPidFile(s.datadir!);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    startProcess(primary);
    startProcess(replica);
    await Promise.all([waitReady(primary), waitReady(replica)]);
    for (const s of [primary, replica]) {
      const c = await rootConnect(s);
      try {
        await c.query(sandboxUsersSql('127.0.0.1', SANDBOX_PASSWORD));
      } finally {
        await c.end();
      }
    }
    const c = await rootConnect(replica);
    try {
      if (bin.flavour === 'mariadb') {
        await c.query(
          `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl',
           MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos; START SLAVE`,
        );
      } else {
        await c.query(
          `CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=${primary.port}, SOURCE_USER='repl',
           SOURCE_PASSWORD='repl-pw', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1; START REPLICA`,
        );
      }
    } finally {
      await c.end();
    }
    writeFileSync(
      join(root, 'sandbox.json'),
      JSON.stringify({ primary: primary.port, replica: replica.port }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  const strip = (s: LocalServer): ServerInfo => ({
    name: s.name,
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    datadir: s.datadir,
    flavour: s.flavour,
    command: { binary: s.binary, args: s.args },
    tlsCa: s.tlsCa,
    chroot: s.chroot,
    binlogReader: s.binlogReader,
  });
  return {
    kind: 'local',
    source: bin.kind,
    flavour: bin.flavour,
    root,
    primary: strip(primary),
    replica: strip(replica),
    servers: { primary, replica },
    stop,
  };
}

/**
 * One more server of the sandbox's kind, in a directory of its own (datadir and tmpdir), with the
 * sandbox users: for tests that need a third member of the topology (a second replica).
 */
export async function startExtraServer(
  name: string,
  serverId: number,
  kind: LocalKind = 'local',
): Promise<{ info: ServerInfo; stop: () => Promise<void> }> {
  const bin = binariesFor(kind);
  const root = mkdtempSync(join(sandboxParent(bin), `bf-${name}-`));
  const datadir = join(root, name);
  initDatadir(bin, datadir);
  const s = await localServer('replica', datadir, serverId, bin);
  const stop = async () => {
    await stopProcess(s);
    await killByPidFile(datadir);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    startProcess(s);
    await waitReady(s);
    const c = await rootConnect(s);
    try {
      await c.query(sandboxUsersSql('127.0.0.1', SANDBOX_PASSWORD));
    } finally {
      await c.end();
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const { proc: _p, args: _a, binary: _b, ...info } = s;
  return { info, stop };
}
