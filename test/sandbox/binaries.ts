/**
 * Where a sandbox's server binaries come from: the host's PATH (`local`), or a Debian `sid` root
 * built once per machine by scripts/flavour-root.sh and run with `chroot` (`mysql`: MySQL 9.7, the
 * current LTS; `mariadb-lts`: MariaDB 11.8, the newest LTS). Every path a server is given is a path
 * as the server sees it: inside its root for a chroot flavour.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import type { Flavour } from './types.js';

/** The sandbox kinds that start local servers (BF_SANDBOX). */
export const LOCAL_KINDS = ['local', 'mysql', 'mariadb-lts'] as const;
export type LocalKind = (typeof LOCAL_KINDS)[number];

export function isLocalKind(kind: string): kind is LocalKind {
  return (LOCAL_KINDS as readonly string[]).includes(kind);
}

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
        'or run MySQL 9.7 / MariaDB 11.8 from a Debian sid root (Debian hosts, as root): ' +
        'BF_SANDBOX=mysql or BF_SANDBOX=mariadb-lts;\n' +
        'or, where Docker runs, a container: BF_SANDBOX=container:mariadb:11.4 npm test ' +
        '(also container:mysql:8.0, container:mysql:9, container:percona/percona-server:8.4, ...).',
    );
    this.name = 'MissingServerError';
    this.stack = this.message;
  }
}

export interface ServerBinaries {
  kind: LocalKind;
  flavour: Flavour;
  /** The root the server runs in with chroot; undefined for the host's own binaries. */
  chroot?: string;
  /** The server binary, as a path inside `chroot` where there is one. */
  server: string;
  /** MariaDB's datadir installer (MySQL initialises with the server itself). */
  installer?: string;
  /** The server's own binlog reader (mariadb-binlog / mysqlbinlog). */
  binlogReader?: string;
}

function hostBinaries(): ServerBinaries {
  const maria = findBinary(['mariadbd']);
  if (maria) {
    return {
      kind: 'local',
      flavour: 'mariadb',
      server: maria,
      installer: findBinary(['mariadb-install-db', 'mysql_install_db']),
      binlogReader: findBinary(['mariadb-binlog', 'mysqlbinlog']),
    };
  }
  const my = findBinary(['mysqld']);
  if (!my) throw new MissingServerError('no mariadbd or mysqld was found on PATH or in /usr/sbin');
  const v = execFileSync(my, ['--version'], { encoding: 'utf8' });
  const flavour: Flavour = /mariadb/i.test(v) ? 'mariadb' : 'mysql';
  return {
    kind: 'local',
    flavour,
    server: my,
    installer: flavour === 'mariadb' ? findBinary(['mariadb-install-db', 'mysql_install_db']) : undefined,
    binlogReader: findBinary(flavour === 'mariadb' ? ['mariadb-binlog', 'mysqlbinlog'] : ['mysqlbinlog']),
  };
}

/** Build (first use only) and return the root of a chroot flavour; one clear error when it cannot. */
export function flavourRoot(kind: 'mysql' | 'mariadb-lts'): string {
  if (process.platform !== 'linux') {
    throw new MissingServerError(
      `BF_SANDBOX=${kind} runs servers from a Debian root with chroot (Linux only)`,
    );
  }
  const script = resolve(import.meta.dirname, '..', '..', 'scripts', 'flavour-root.sh');
  try {
    return execFileSync('bash', [script, kind], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new MissingServerError(
      `BF_SANDBOX=${kind}: scripts/flavour-root.sh could not build its root (exit ${status ?? '?'}; its message is above)`,
    );
  }
}

export function binariesFor(kind: LocalKind): ServerBinaries {
  if (kind === 'local') return hostBinaries();
  const chroot = flavourRoot(kind);
  return kind === 'mysql'
    ? { kind, flavour: 'mysql', chroot, server: '/usr/sbin/mysqld', binlogReader: '/usr/bin/mysqlbinlog' }
    : {
        kind,
        flavour: 'mariadb',
        chroot,
        server: '/usr/sbin/mariadbd',
        installer: '/usr/bin/mariadb-install-db',
        binlogReader: '/usr/bin/mariadb-binlog',
      };
}

/** A host path as the server sees it (inside its root). */
export function inside(bin: { chroot?: string }, hostPath: string): string {
  if (!bin.chroot) return hostPath;
  const rel = relative(bin.chroot, hostPath);
  if (rel.startsWith('..')) throw new Error(`${hostPath} is outside the server's root ${bin.chroot}`);
  return '/' + rel;
}

/**
 * The command line that runs one of the flavour's programs from the host: in its root (chroot), in
 * its container (docker exec), or as it is.
 */
export function hostCommand(
  bin: { chroot?: string; container?: { id: string } },
  program: string,
  args: string[],
): { binary: string; args: string[] } {
  if (bin.container) return { binary: 'docker', args: ['exec', bin.container.id, program, ...args] };
  return bin.chroot ? { binary: 'chroot', args: [bin.chroot, program, ...args] } : { binary: program, args };
}

/** Where a sandbox keeps its servers: a temporary folder, inside the root for a chroot flavour. */
export function sandboxParent(bin: { chroot?: string }): string {
  return bin.chroot ? join(bin.chroot, 'tmp') : (process.env.TMPDIR ?? '/tmp');
}
