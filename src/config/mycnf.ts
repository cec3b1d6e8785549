/**
 * The client options of a MySQL / MariaDB option file (`--mycnf`, default `~/.my.cnf`), read as the
 * clients read them (grammar: option-file.ts; includes: option-reader.ts).
 *
 * Groups: `[client]`, `[client-server]`, `[client-mariadb]` (the groups MariaDB's clients read
 * besides their own; MySQL's read `[client]`, and files written for them hold nothing in the other
 * two) and `[binlog-flusher]`, our own program group, as mysqldump has `[mysqldump]`. Not
 * `[mysql]`: that is the mysql command-line client's own group, which other tools do not read.
 * Group names are compared without case, as the readers compare them, and "_" is not "-" in them
 * (a `[binlog_flusher]` line is refused: no reader reads it as ours). Options count in the order
 * they are read, whatever their group, and a later one wins (the clients' rule: the order of the
 * groups does not matter, the order of the lines does).
 *
 * Options: user, password, host, port, socket, ssl-ca, ssl-cert, ssl-key, ssl-mode, with `_` and
 * `-` the same and an optional `loose-` prefix, as the clients take them. Any other option (such
 * as default-character-set) is not ours and is ignored. Refused, naming the file and line (never
 * the value): one of ours with no value (`password` alone makes the clients prompt; we do not), and
 * a name that only MariaDB's clients would read as one of ours: in another case (`User`: MariaDB
 * ignores case, MySQL ignores the line) or cut short (`pass`: MariaDB takes a unique prefix).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { OptionFileError } from './option-file.js';
import { readOptionFiles, readOptionText, type ReadOption, type ReadOptions } from './option-reader.js';

export interface MyCnfClient {
  user?: string;
  password?: string;
  host?: string;
  port?: string;
  socket?: string;
  'ssl-ca'?: string;
  'ssl-cert'?: string;
  'ssl-key'?: string;
  'ssl-mode'?: string;
}

const KEYS: (keyof MyCnfClient)[] = [
  'user',
  'password',
  'host',
  'port',
  'socket',
  'ssl-ca',
  'ssl-cert',
  'ssl-key',
  'ssl-mode',
];

/** The groups we read, in lower case (the readers compare group names without case). */
export const MYCNF_GROUPS = ['client', 'client-server', 'client-mariadb', 'binlog-flusher'] as const;

export function defaultMyCnfPath(): string {
  return join(homedir(), '.my.cnf');
}

/**
 * TLS options of the clients that binlog-flusher does not apply (`ssl`, `skip-ssl`,
 * `ssl-verify-server-cert`, `ssl-capath`, `tls-version`...): passing over one would connect in a
 * way the file did not ask for (unencrypted, or unverified), so each is refused with what to write.
 */
function unappliedTls(name: string): boolean {
  return /^(ssl|skip-ssl|disable-ssl|ssl-.*|tls-.*)$/.test(name) && !(KEYS as string[]).includes(name);
}

function keyOf(o: ReadOption): keyof MyCnfClient | undefined {
  const name = o.name.replace(/^loose[-_]/, '').replaceAll('_', '-');
  if ((KEYS as string[]).includes(name)) return name as keyof MyCnfClient;
  const where = `[${o.group}] ${o.name}`;
  const folded = KEYS.find((k) => k === name.toLowerCase());
  if (folded) {
    throw new OptionFileError(
      o.file,
      o.line,
      `${where}: option names are case-sensitive for MySQL's clients (which skip this line) but not for MariaDB's (which read it as ${folded}); write ${folded}`,
    );
  }
  // `ssl` is an option of its own (TLS on), not a shortening of ssl-ca: refused below.
  const long = KEYS.filter((k) => k.startsWith(name));
  if (long.length > 0 && name !== 'ssl') {
    throw new OptionFileError(
      o.file,
      o.line,
      `${where} is not an option name in full: MySQL's clients skip it, MariaDB's may read it as ${long.join(' or ')}; write the name in full`,
    );
  }
  if (unappliedTls(name.toLowerCase())) {
    throw new OptionFileError(
      o.file,
      o.line,
      `${where}: binlog-flusher takes TLS from ssl-mode (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY), ssl-ca, ssl-cert and ssl-key only, and would not apply this one; write those instead (for example ssl-mode=VERIFY_IDENTITY with ssl-ca=...)`,
    );
  }
  return undefined;
}

/** The options of our groups, later ones winning. Pure. */
export function clientOptions(read: ReadOptions, source: string, input = '--mycnf'): MyCnfClient {
  for (const [key, at] of read.groups) {
    const meant = MYCNF_GROUPS.find((g) => g !== key && g === key.replaceAll('_', '-'));
    if (meant) {
      throw new OptionFileError(
        at.file,
        at.line,
        `[${at.group}] is not [${meant}]: the clients take "_" for "-" in option names, not in group names; write [${meant}]`,
      );
    }
  }
  if (!MYCNF_GROUPS.some((g) => read.groups.has(g))) {
    throw new InputError(
      input,
      `${source} has no [client] section (nor [client-server], [client-mariadb] or [binlog-flusher]); ` +
        'expected for example:\n[client]\nuser=admin\npassword=...',
    );
  }
  const out: MyCnfClient = {};
  for (const o of read.options) {
    if (!(MYCNF_GROUPS as readonly string[]).includes(o.group.toLowerCase())) continue;
    const key = keyOf(o);
    if (!key) continue;
    if (o.value === undefined) {
      const why = key === 'password' ? ' (the clients would ask for it; binlog-flusher does not ask)' : '';
      throw new OptionFileError(
        o.file,
        o.line,
        `[${o.group}] ${o.name} has no value${why}: write ${key}=...`,
      );
    }
    out[key] = o.value;
  }
  return out;
}

function asInput(e: unknown, input: string): unknown {
  return e instanceof OptionFileError ? new InputError(input, e.message) : e;
}

/**
 * Read an option file and what it includes. An explicitly named file must exist; the default
 * `~/.my.cnf` may be absent. Every problem is an InputError naming `input`, the file and the line.
 */
export function readMyCnf(path: string | undefined, input = '--mycnf'): MyCnfClient {
  const explicit = path !== undefined && path !== '';
  const file = explicit ? path : defaultMyCnfPath();
  try {
    return clientOptions(readOptionFiles(file), file, input);
  } catch (e) {
    if (!explicit && e instanceof OptionFileError && e.file === file && e.code === 'ENOENT') return {};
    throw asInput(e, input);
  }
}

/**
 * Read option-file text as if it were the file `source` (its includes are read from disk). Kept for
 * callers that hold the text; `readMyCnf` is the usual way in.
 */
export function parseMyCnf(text: string, source: string, input = '--mycnf'): MyCnfClient {
  try {
    return clientOptions(readOptionText(text, source), source, input);
  } catch (e) {
    throw asInput(e, input);
  }
}
