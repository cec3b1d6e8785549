/**
 * The one settings builder of the CLI and the action: raw strings in, one validated, typed settings
 * object out, with the same defaults and the same error texts. Each surface only says where a value
 * comes from and what its user calls it (`--chunk-size` on the command line, `chunk-size` in a
 * workflow), so an action user is never told about a `--flag`.
 */
import { InputError } from '../errors.js';
import { addSecret } from '../log.js';
import {
  DEFAULTS,
  LIMITS,
  SSL_MODES,
  checkHost,
  parseBoolInput,
  parseEnumInput,
  parseIntInput,
  parseSchemas,
  parseTables,
  validateSelection,
  type ConnectionSettings,
  type FlushSettings,
  type RecoverSettings,
  type ReplicationSettings,
  type RunControls,
  type Selection,
  type GtidPlacement,
} from '../settings.js';
import { readMyCnf } from './mycnf.js';
import type { VerifySettings } from '../verify/verify.js';

/** Every setting a surface may give, by its canonical name. */
export type InputKey =
  | 'host'
  | 'port'
  | 'user'
  | 'password'
  | 'socket'
  | 'mycnf'
  | 'ssl-mode'
  | 'ssl-ca'
  | 'databases'
  | 'tables'
  | 'skip'
  | 'stop-replica'
  | 'start-replica'
  | 'concurrency'
  | 'chunk-size'
  | 'ddl'
  | 'hashfile'
  | 'allow-primary'
  | 'allow-downstream'
  | 'rotate-binlog'
  | 'timeout'
  | 'lock-wait'
  | 'set-read-only'
  | 'allow-writers'
  | 'stop-on-error'
  | 'max-tables-aside'
  | 'pause-file'
  | 'max-load'
  | 'max-rows-per-second'
  | 'status-interval'
  | 'gtid-domain-id'
  | 'gtid-tag'
  | 'retention-margin';

export interface InputSource {
  /** The raw value ('' or undefined: not given). Switches are 'true' or 'false'. */
  get(key: InputKey): string | undefined;
  /** What the user calls the setting: `--chunk-size`, or `chunk-size`. */
  name(key: InputKey): string;
  /** How the user turned a switch off: `--no-stop-slave`, or `stop-replica: false`. */
  off(key: InputKey): string;
}

const given = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

export function buildConnection(src: InputSource, env: NodeJS.ProcessEnv): ConnectionSettings {
  const cnf = readMyCnf(given(src.get('mycnf')), src.name('mycnf'));
  const password = src.get('password') || cnf.password || env.MYSQL_PWD || undefined;
  addSecret(password);
  const socket = given(src.get('socket')) ?? (given(src.get('host')) ? undefined : cnf.socket);
  const hostRaw = given(src.get('host')) ?? cnf.host;
  const host = socket && !hostRaw ? 'localhost' : checkHost(src.name('host'), hostRaw);
  const portRaw = given(src.get('port'));
  const sslCa = given(src.get('ssl-ca')) ?? cnf['ssl-ca'];
  return {
    host,
    port: parseIntInput(
      portRaw ? src.name('port') : `${src.name('mycnf')} port`,
      portRaw ?? cnf.port,
      DEFAULTS.port,
      LIMITS.port,
    ),
    user: given(src.get('user')) ?? cnf.user ?? DEFAULTS.user,
    password,
    socket,
    ssl: {
      mode: parseEnumInput(
        src.name('ssl-mode'),
        given(src.get('ssl-mode')) ?? cnf['ssl-mode'],
        sslCa ? 'VERIFY_CA' : 'DISABLED',
        SSL_MODES,
      ),
      ca: sslCa,
      cert: cnf['ssl-cert'],
      key: cnf['ssl-key'],
    },
  };
}

export function buildSelection(src: InputSource): Selection {
  const sel = {
    databases: parseSchemas(src.name('databases'), src.get('databases')),
    tables: parseTables(src.name('tables'), src.get('tables')),
    skip: parseSchemas(src.name('skip'), src.get('skip')),
  };
  return validateSelection(sel, { databases: src.name('databases'), skip: src.name('skip') });
}

export function buildReplication(src: InputSource): ReplicationSettings {
  const r = {
    stopReplica: flag(src, 'stop-replica', DEFAULTS.stopReplica),
    startReplica: flag(src, 'start-replica', DEFAULTS.startReplica),
  };
  if (r.startReplica && !r.stopReplica) {
    throw new InputError(
      src.name('start-replica'),
      `conflicts with ${src.off('stop-replica')}: the applier is only started again after we stopped it`,
    );
  }
  return r;
}

const flag = (src: InputSource, key: InputKey, fallback: boolean) =>
  parseBoolInput(src.name(key), src.get(key), fallback);
const int = (src: InputSource, key: InputKey, fallback: number, range: { min: number; max: number }) =>
  parseIntInput(src.name(key), src.get(key), fallback, range);
const optionalInt = (src: InputSource, key: InputKey, range: { min: number; max: number }) =>
  given(src.get(key)) === undefined ? undefined : int(src, key, 0, range);

/** `--max-load Threads_running=25`: the status the brake watches and its limit. */
function buildControls(src: InputSource): RunControls {
  const load = given(src.get('max-load'));
  let brakeStatus = DEFAULTS.brakeStatus;
  let brakeLimit: number | undefined;
  if (load) {
    const m = /^(?:([A-Za-z_]+)\s*=\s*)?(\d+)$/.exec(load);
    if (!m) {
      throw new InputError(
        src.name('max-load'),
        `expected STATUS=LIMIT (for example Threads_running=25) or a number for Threads_running, got ${JSON.stringify(load)}`,
      );
    }
    brakeStatus = m[1] ?? DEFAULTS.brakeStatus;
    brakeLimit = parseIntInput(src.name('max-load'), m[2], 0, LIMITS.brakeLimit);
  }
  const pauseFile = given(src.get('pause-file'));
  return {
    pauseFile,
    brakeStatus,
    brakeLimit,
    maxRowsPerSecond: optionalInt(src, 'max-rows-per-second', LIMITS.maxRowsPerSecond),
    statusInterval: int(src, 'status-interval', DEFAULTS.statusInterval, LIMITS.statusInterval),
  };
}

/** What only one surface decides: the dry run, the journal's default path, resuming. */
export interface FlushExtras {
  dryRun: boolean;
  /** The journal's path when none is given, from the replica's host. */
  defaultHashfile?: (host: string) => string;
  resumeFrom?: string;
}

export function buildFlushSettings(
  src: InputSource,
  env: NodeJS.ProcessEnv,
  extras: FlushExtras,
): FlushSettings {
  const hashfile = src.get('hashfile');
  if (hashfile !== undefined && hashfile !== '' && hashfile.trim() === '')
    throw new InputError(src.name('hashfile'), 'is empty; give a file path');
  const connection = buildConnection(src, env);
  const concurrency = int(src, 'concurrency', DEFAULTS.concurrency, LIMITS.concurrency);
  return {
    connection,
    selection: buildSelection(src),
    replication: buildReplication(src),
    concurrency,
    chunkSize: int(src, 'chunk-size', DEFAULTS.chunkSize, LIMITS.chunkSize),
    ddl: parseEnumInput(src.name('ddl'), src.get('ddl'), DEFAULTS.ddl, ['create', 'none'] as const),
    hashfile: given(hashfile) ?? extras.defaultHashfile?.(connection.host),
    dryRun: extras.dryRun,
    allowPrimary: flag(src, 'allow-primary', false),
    allowDownstream: flag(src, 'allow-downstream', false),
    rotateBinlog: flag(src, 'rotate-binlog', false),
    timeout: int(src, 'timeout', DEFAULTS.timeout, LIMITS.timeout),
    resumeFrom: extras.resumeFrom,
    lockWait: int(src, 'lock-wait', DEFAULTS.lockWait, LIMITS.lockWait),
    setReadOnly: flag(src, 'set-read-only', DEFAULTS.setReadOnly),
    allowWriters: flag(src, 'allow-writers', DEFAULTS.allowWriters),
    stopOnError: flag(src, 'stop-on-error', DEFAULTS.stopOnError),
    maxTablesAside: int(src, 'max-tables-aside', concurrency, LIMITS.maxTablesAside),
    controls: buildControls(src),
    gtid: buildGtid(src),
    retentionMarginHours: int(
      src,
      'retention-margin',
      DEFAULTS.retentionMarginHours,
      LIMITS.retentionMarginHours,
    ),
  };
}

/** MySQL 8.3+ tags: a letter or underscore, then letters, digits, underscores; 32 at most. */
const GTID_TAG = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

function buildGtid(src: InputSource): GtidPlacement | undefined {
  const domain = given(src.get('gtid-domain-id'));
  const tag = given(src.get('gtid-tag'));
  if (domain !== undefined && tag !== undefined) {
    throw new InputError(
      src.name('gtid-tag'),
      `cannot be combined with ${src.name('gtid-domain-id')}: a domain is MariaDB's, a tag MySQL's; give the one your server has`,
    );
  }
  if (tag !== undefined && !GTID_TAG.test(tag)) {
    throw new InputError(
      src.name('gtid-tag'),
      `${JSON.stringify(tag)} is not a GTID tag: start with a letter or underscore, then letters, digits or underscores, 32 at most`,
    );
  }
  if (domain === undefined && tag === undefined) return undefined;
  return {
    domainId: domain === undefined ? undefined : int(src, 'gtid-domain-id', 0, LIMITS.gtidDomainId),
    tag: tag?.toLowerCase(),
  };
}

export function buildRecoverSettings(
  src: InputSource,
  env: NodeJS.ProcessEnv,
  extras: { dryRun: boolean },
): RecoverSettings {
  const hashfile = given(src.get('hashfile'));
  if (!hashfile)
    throw new InputError(src.name('hashfile'), 'is required: the journal written by the flush to recover');
  return {
    connection: buildConnection(src, env),
    selection: buildSelection(src),
    replication: buildReplication(src),
    hashfile,
    dryRun: extras.dryRun,
    timeout: int(src, 'timeout', DEFAULTS.timeout, LIMITS.timeout),
    lockWait: int(src, 'lock-wait', DEFAULTS.lockWait, LIMITS.lockWait),
  };
}

export function buildVerifySettings(src: InputSource, env: NodeJS.ProcessEnv): VerifySettings {
  const hashfile = given(src.get('hashfile'));
  if (!hashfile)
    throw new InputError(src.name('hashfile'), 'is required: the journal written by the flush to verify');
  return {
    connection: buildConnection(src, env),
    hashfile,
    timeout: int(src, 'timeout', DEFAULTS.timeout, LIMITS.timeout),
  };
}
