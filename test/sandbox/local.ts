/**
 * A real primary + replica on loopback, started from the server binaries on PATH (mariadbd or
 * mysqld) in a temporary directory. Used by the tests, the demo and the benchmark.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Flavour, SandboxInfo, ServerInfo } from './types.js';
import { sandboxUsersSql } from './types.js';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/libexec', '/usr/local/mysql/bin'];

export function findBinary(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_DIRS];
  for (const n of names) {
    for (const d of dirs) {
      const p = join(d, n);
      if (d && existsSync(p)) return p;
    }
  }
  return undefined;
}

export function serverBinary(): { path: string; flavour: Flavour } | undefined {
  const maria = findBinary(['mariadbd']);
  if (maria) return { path: maria, flavour: 'mariadb' };
  const my = findBinary(['mysqld']);
  if (!my) return undefined;
  const v = execFileSync(my, ['--version'], { encoding: 'utf8' });
  return { path: my, flavour: /mariadb/i.test(v) ? 'mariadb' : 'mysql' };
}

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

/**
 * No server binaries to start a sandbox from: one message that says what to install, without a
 * stack trace (the demo and the test setup print only this).
 */
export class MissingServerError extends Error {
  constructor(what: string) {
    super(
      `${what}. The sandbox (npm run demo, npm test) starts a throwaway MariaDB or MySQL server from ` +
        'the binaries on this machine. Install one:\n' +
        '  Debian / Ubuntu: sudo apt-get install mariadb-server  (or mysql-server)\n' +
        '  macOS (Homebrew): brew install mariadb  (or mysql)\n' +
        'or, where Docker runs, use a container instead: BF_SANDBOX=container:mariadb:11.4 npm test ' +
        '(also container:mysql:8.0, container:mysql:8.4).',
    );
    this.name = 'MissingServerError';
    this.stack = this.message;
  }
}

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

function serverArgs(
  flavour: Flavour,
  datadir: string,
  port: number,
  serverId: number,
  tls?: { ca: string; cert: string; key: string },
): string[] {
  const a = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--tmpdir=${privateTmpdir(datadir)}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(datadir, 'mysql.sock')}`,
    `--pid-file=${join(datadir, 'mysqld.pid')}`,
    `--log-error=${join(datadir, 'error.log')}`,
    `--server-id=${serverId}`,
    `--log-bin=${join(datadir, 'binlog')}`,
    '--binlog-format=ROW',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-connections=300',
    '--max-allowed-packet=64M',
  ];
  if (flavour === 'mariadb') {
    a.push(
      '--log-slave-updates',
      '--plugin-load-add=ha_blackhole',
      '--plugin-load-add=ha_archive', // for the ARCHIVE scenario
      '--innodb-log-file-size=256M',
    );
  } else {
    a.push('--log-replica-updates', '--gtid-mode=ON', '--enforce-gtid-consistency=ON', '--mysqlx=OFF');
  }
  if (tls) a.push(`--ssl-ca=${tls.ca}`, `--ssl-cert=${tls.cert}`, `--ssl-key=${tls.key}`);
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

function initDatadir(flavour: Flavour, binary: string, datadir: string): void {
  mkdirSync(privateTmpdir(datadir), { recursive: true });
  if (flavour === 'mariadb') {
    const installer = findBinary(['mariadb-install-db', 'mysql_install_db']);
    if (!installer) throw new MissingServerError('mariadbd was found, but not mariadb-install-db beside it');
    const args = [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--tmpdir=${privateTmpdir(datadir)}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ];
    if (process.getuid?.() === 0) args.push('--user=root');
    execFileSync(installer, args, { stdio: 'pipe' });
  } else {
    const args = [
      '--no-defaults',
      '--initialize-insecure',
      `--datadir=${datadir}`,
      `--tmpdir=${privateTmpdir(datadir)}`,
    ];
    if (process.getuid?.() === 0) args.push('--user=root');
    execFileSync(binary, args, { stdio: 'pipe' });
  }
}

/** A server of ours on a free loopback port, from an initialised datadir (not started yet). */
async function localServer(
  name: 'primary' | 'replica',
  datadir: string,
  serverId: number,
  bin: { path: string; flavour: Flavour },
  tls?: { ca: string; cert: string; key: string },
): Promise<LocalServer> {
  const port = await freePort();
  return {
    name,
    host: '127.0.0.1',
    port,
    user: ADMIN_USER,
    password: SANDBOX_PASSWORD,
    datadir,
    flavour: bin.flavour,
    binary: bin.path,
    args: serverArgs(bin.flavour, datadir, port, serverId, tls),
    tlsCa: tls?.ca,
  };
}

export interface LocalSandbox extends SandboxInfo {
  servers: { primary: LocalServer; replica: LocalServer };
  stop(): Promise<void>;
}

/** Start a primary and a replica replicating from it. */
export async function startLocalSandbox(opts: { root?: string } = {}): Promise<LocalSandbox> {
  const bin = serverBinary();
  if (!bin) throw new MissingServerError('no mariadbd or mysqld was found on PATH or in /usr/sbin');
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'bf-sandbox-'));
  mkdirSync(root, { recursive: true });
  const base = join(root, 'base');
  initDatadir(bin.flavour, bin.path, base);
  let tls: { ca: string; cert: string; key: string } | undefined;
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
  });
  return {
    kind: 'local',
    flavour: bin.flavour,
    root,
    primary: strip(primary),
    replica: strip(replica),
    servers: { primary, replica },
    stop,
  };
}

/**
 * One more server from the binaries on PATH, in a directory of its own (datadir and tmpdir), with the
 * sandbox users: for tests that need a third member of the topology (a second replica).
 */
export async function startExtraServer(
  name: string,
  serverId: number,
): Promise<{ info: ServerInfo; stop: () => Promise<void> }> {
  const bin = serverBinary();
  if (!bin) throw new MissingServerError('no mariadbd or mysqld was found on PATH or in /usr/sbin');
  const root = mkdtempSync(join(tmpdir(), `bf-${name}-`));
  const datadir = join(root, name);
  initDatadir(bin.flavour, bin.path, datadir);
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
