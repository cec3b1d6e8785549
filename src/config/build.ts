/**
 * The one settings builder of the CLI and the action: raw strings in, one validated, typed settings
 * object out, with the same defaults and the same error texts. Each surface only says where a value
 * comes from and what its user calls it (`--chunk-size` on the command line, `chunk-size` in a
 * workflow), so an action user is never told about a `--flag`.
 */
import { InputError } from '../model/errors.js';
import { addSecret } from '../model/log.js';
import {
  DEFAULTS,
  LIMITS,
  SSL_MODES,
  checkHost,
  parseBoolInput,
  parseEnumInput,
  parseIntInput,
  parseSchemas,
  parseSkip,
  parseTables,
  validateSelection,
  type ConnectionSettings,
  type FlushSettings,
  type RecoverSettings,
  type ReplicationSettings,
  type RunControls,
  type Selection,
  type DdlMode,
  type GtidPlacement,
  type VerifySettings,
  type WindowSettings,
  defaultWindow,
  parseLagQuery,
} from '../model/settings.js';
import { readMyCnf } from './mycnf.js';
import { namesOf, type InputKey, type Names } from '../model/input-names.js';
import { checkDirectoryFor, checkNewFile, checkReadableFile, checkWorkingDirectory } from './paths.js';
import { RESUMABLE } from './resume.js';
import { defaultOf, limitsOf, valuesOf } from '../model/inputs.js';

export type { InputKey } from '../model/input-names.js';

export interface InputSource {
  /** The raw value ('' or undefined: not given). Switches are 'true' or 'false'. */
  get(key: InputKey): string | undefined;
  /** What this surface calls each input. */
  names: Names;
  /**
   * Whether the user chose this value (an action input left at its action.yml default was not
   * chosen). `--resume` keeps the earlier run's value of every input not chosen.
   */
  chosen(key: InputKey): boolean;
}

const given = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

/** What to say to a user who gave an input with no value, per input (a general hint otherwise). */
const EMPTY_HINTS: Partial<Record<InputKey, (n: Names) => string>> = {
  databases: (n) =>
    `name at least one schema, or leave ${n.name('databases')} out to flush every schema but the system ones`,
  tables: (n) =>
    `name at least one table, or leave ${n.name('tables')} out to flush every table of the selected schemas`,
  skip: (n) => `name the schemas or schema.table to leave out, or leave ${n.name('skip')} out`,
  hashfile: () => 'give a file path',
  resume: () => 'give the journal of the earlier run',
  host: (n) =>
    `give the server's host name or IP address, or leave ${n.name('host')} out to take it from the option file`,
};

/**
 * An input given with no value (`--db ""`, often an unset shell variable) means nothing: it is
 * refused, never read as "not given" (an empty `--db` would otherwise select every schema).
 * The command line calls it for every flag the user typed; an action input left empty is not given.
 */
export function refuseEmpty(key: InputKey, raw: string | undefined, n: Names): void {
  if (raw === undefined || raw.trim() !== '') return;
  const hint = EMPTY_HINTS[key]?.(n) ?? `give a value, or leave ${n.name(key)} out`;
  throw new InputError(n.name(key), `is empty; ${hint}`);
}

export function buildConnection(src: InputSource, env: NodeJS.ProcessEnv): ConnectionSettings {
  const n = src.names;
  const cnf = readMyCnf(given(src.get('mycnf')), n.name('mycnf'));
  // An option file's `password=` (empty) is an empty password, as the clients read it: not MYSQL_PWD.
  const password = src.get('password') || (cnf.password ?? (env.MYSQL_PWD || undefined));
  addSecret(password);
  refuseConflicts(src);
  const socket = given(src.get('socket')) ?? (given(src.get('host')) ? undefined : cnf.socket);
  const hostRaw = given(src.get('host')) ?? cnf.host;
  const host = socket && !hostRaw ? 'localhost' : checkHost(n.name('host'), hostRaw, n.name('port'));
  const portRaw = given(src.get('port'));
  const sslCa = given(src.get('ssl-ca')) ?? cnf['ssl-ca'];
  const mode = parseEnumInput(
    n.name('ssl-mode'),
    given(src.get('ssl-mode')) ?? cnf['ssl-mode'],
    sslCa ? 'VERIFY_CA' : 'DISABLED',
    SSL_MODES,
  );
  const tls = mode === 'DISABLED' ? undefined : { ca: sslCa, cert: cnf['ssl-cert'], key: cnf['ssl-key'] };
  const fromCnf = (k: string) => `${n.name('mycnf')} ${k}`;
  if (tls?.ca)
    checkReadableFile(
      given(src.get('ssl-ca')) ? n.name('ssl-ca') : fromCnf('ssl-ca'),
      tls.ca,
      'a CA certificate (PEM)',
    );
  if (tls?.cert) checkReadableFile(fromCnf('ssl-cert'), tls.cert, 'a client certificate (PEM)');
  if (tls?.key) checkReadableFile(fromCnf('ssl-key'), tls.key, 'a client key (PEM)');
  return hidePassword({
    host,
    port: parseIntInput(
      portRaw ? n.name('port') : fromCnf('port'),
      portRaw ?? cnf.port,
      DEFAULTS.port,
      LIMITS.port,
    ),
    user: given(src.get('user')) ?? cnf.user ?? DEFAULTS.user,
    password,
    socket,
    ssl: { mode, ca: sslCa, cert: cnf['ssl-cert'], key: cnf['ssl-key'] },
    surface: n.surface,
  });
}

/**
 * The password stays readable (`s.password`) but is not enumerable: settings written out whole
 * (JSON.stringify, util.inspect, a spread) never carry it into a message, a journal or state.
 */
function hidePassword(s: ConnectionSettings): ConnectionSettings {
  const { password } = s;
  delete s.password;
  Object.defineProperty(s, 'password', { value: password, enumerable: false, writable: false });
  return s;
}

/**
 * Inputs given together that cannot both mean something: a socket and a host (or port), a CA with
 * TLS turned off. Only what the user gave on this surface counts; an option file may hold all of them.
 */
function refuseConflicts(src: InputSource): void {
  const n = src.names;
  if (given(src.get('socket'))) {
    for (const k of ['host', 'port'] as const) {
      if (given(src.get(k)))
        throw new InputError(
          n.name('socket'),
          `conflicts with ${n.name(k)}: a socket is a local connection, with no ${k}; give one of them`,
        );
    }
  }
  if (given(src.get('ssl-ca')) && given(src.get('ssl-mode'))?.toUpperCase() === 'DISABLED') {
    throw new InputError(
      n.name('ssl-ca'),
      `conflicts with ${n.name('ssl-mode')} DISABLED: no certificate is checked without TLS; drop one of them`,
    );
  }
}

/** The value of the databases input (`--db`) that selects every schema but the system ones. */
export const ALL_SCHEMAS = '*';

export function buildSelection(src: InputSource): Selection {
  const n = src.names;
  const dbs = src.get('databases');
  const sel = {
    // `*`: every schema but the system ones, said on purpose (an empty value is never read so).
    databases: dbs?.trim() === ALL_SCHEMAS ? [] : parseSchemas(n.name('databases'), dbs),
    tables: parseTables(n.name('tables'), src.get('tables')),
    ...parseSkip(n.name('skip'), src.get('skip')),
  };
  return validateSelection(sel, {
    databases: n.name('databases'),
    tables: n.name('tables'),
    skip: n.name('skip'),
  });
}

export function buildReplication(src: InputSource): ReplicationSettings {
  const r = {
    stopReplica: flag(src, 'stop-replica', DEFAULTS.stopReplica),
    startReplica: flag(src, 'start-replica', DEFAULTS.startReplica),
  };
  if (r.startReplica && !r.stopReplica) {
    throw new InputError(
      src.names.name('start-replica'),
      `conflicts with ${src.names.off('stop-replica')}: the applier is only started again after we stopped it`,
    );
  }
  return r;
}

const flag = (src: InputSource, key: InputKey, fallback: boolean) =>
  parseBoolInput(src.names.name(key), src.get(key), fallback);
const int = (src: InputSource, key: InputKey, fallback: number, range: { min: number; max: number }) =>
  parseIntInput(src.names.name(key), src.get(key), fallback, range);
const optionalInt = (src: InputSource, key: InputKey, range: { min: number; max: number }) =>
  given(src.get(key)) === undefined ? undefined : int(src, key, 0, range);

type Load = NonNullable<RunControls['criticalLoad']>;

/** `--max-load Threads_running=25` (or `--critical-load`): a server status and its limit. */
function loadInput(src: InputSource, key: 'max-load' | 'critical-load'): Load | undefined {
  const load = given(src.get(key));
  if (!load) return undefined;
  const m = /^(?:([A-Za-z_]+)\s*=\s*)?(\d+)$/.exec(load);
  if (!m) {
    throw new InputError(
      src.names.name(key),
      `expected STATUS=LIMIT (for example Threads_running=25) or a number for Threads_running, got ${JSON.stringify(load)}`,
    );
  }
  return {
    status: m[1] ?? DEFAULTS.brakeStatus,
    limit: parseIntInput(src.names.name(key), m[2], 0, limitsOf(key)),
  };
}

/** The operator's controls: pause file, control file, load brake, critical load, rate cap, status line. */
function buildControls(src: InputSource): RunControls {
  const brake = loadInput(src, 'max-load');
  const critical = loadInput(src, 'critical-load');
  if (brake && critical && critical.status === brake.status && critical.limit <= brake.limit) {
    throw new InputError(
      src.names.name('critical-load'),
      `${critical.status}=${critical.limit} is not over ${src.names.name('max-load')} (${brake.limit}): the run would end before the brake ever held it; give a higher limit`,
    );
  }
  const pauseFile = given(src.get('pause-file'));
  const controlFile = given(src.get('control-file'));
  return {
    pauseFile,
    ...(controlFile && { controlFile }),
    ...(critical && { criticalLoad: critical }),
    brakeStatus: brake?.status ?? DEFAULTS.brakeStatus,
    brakeLimit: brake?.limit,
    maxRowsPerSecond: optionalInt(src, 'max-rows-per-second', LIMITS.maxRowsPerSecond),
    statusInterval: int(src, 'status-interval', DEFAULTS.statusInterval, LIMITS.statusInterval),
  };
}

/**
 * The windows (`--max-lag`, `--window`, `--lag-query`); undefined without `--max-lag`: the flush stops
 * the applier once, as always. The window must leave room to catch up within the bound, and the
 * applier must be ours to stop and start.
 */
export function buildWindows(src: InputSource): WindowSettings | undefined {
  const n = src.names;
  const maxLag = optionalInt(src, 'max-lag', LIMITS.maxLag);
  const window = optionalInt(src, 'window', LIMITS.window);
  const query = given(src.get('lag-query'));
  if (maxLag === undefined) {
    for (const [key, v] of [
      ['window', window],
      ['lag-query', query],
    ] as const) {
      if (v !== undefined)
        throw new InputError(
          n.name(key),
          `is for a flush in windows and needs ${n.name('max-lag')}; give ${n.name('max-lag')} too, or drop ${n.name(key)}`,
        );
    }
    return undefined;
  }
  if (window !== undefined && window > maxLag)
    throw new InputError(
      n.name('window'),
      `${window} is over ${n.name('max-lag')} (${maxLag}): one window alone would leave the replica further behind than the bound; give at most ${maxLag}`,
    );
  if (!flag(src, 'stop-replica', DEFAULTS.stopReplica))
    throw new InputError(
      n.name('max-lag'),
      `conflicts with ${n.off('stop-replica')}: a flush in windows stops and starts the applier for each window`,
    );
  const w = window ?? defaultWindow(maxLag);
  return {
    maxLag,
    window: w,
    catchUpTo: maxLag - w,
    ...(query !== undefined && { lagQuery: parseLagQuery(n.name('lag-query'), query) }),
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
    throw new InputError(src.names.name('hashfile'), 'is empty; give a file path');
  const connection = buildConnection(src, env);
  const concurrency = int(src, 'concurrency', DEFAULTS.concurrency, LIMITS.concurrency);
  const s: FlushSettings = {
    connection,
    selection: buildSelection(src),
    replication: buildReplication(src),
    concurrency,
    chunkSize: int(src, 'chunk-size', DEFAULTS.chunkSize, LIMITS.chunkSize),
    ddl: parseEnumInput(
      src.names.name('ddl'),
      src.get('ddl'),
      DEFAULTS.ddl,
      valuesOf('ddl') as readonly DdlMode[],
    ),
    hashfile: given(hashfile) ?? extras.defaultHashfile?.(connection.host),
    dryRun: extras.dryRun,
    allowPrimary: flag(src, 'allow-primary', defaultOf('allow-primary', 'boolean')),
    allowDownstream: flag(src, 'allow-downstream', defaultOf('allow-downstream', 'boolean')),
    rotateBinlog: flag(src, 'rotate-binlog', defaultOf('rotate-binlog', 'boolean')),
    timeout: int(src, 'timeout', DEFAULTS.timeout, LIMITS.timeout),
    resumeFrom: extras.resumeFrom,
    lockWait: int(src, 'lock-wait', DEFAULTS.lockWait, LIMITS.lockWait),
    setReadOnly: flag(src, 'set-read-only', DEFAULTS.setReadOnly),
    allowWriters: flag(src, 'allow-writers', DEFAULTS.allowWriters),
    stopOnError: flag(src, 'stop-on-error', DEFAULTS.stopOnError),
    maxTablesAside: int(src, 'max-tables-aside', concurrency, LIMITS.maxTablesAside),
    controls: buildControls(src),
    windows: buildWindows(src),
    gtid: buildGtid(src),
    retentionMarginHours: int(
      src,
      'retention-margin',
      DEFAULTS.retentionMarginHours,
      LIMITS.retentionMarginHours,
    ),
    chosen: RESUMABLE.filter((k) => src.chosen(k)),
  };
  return s;
}

/**
 * The flush's paths, before anything connects (called by the flush's surfaces; the action's post step
 * reads the same inputs when the journal exists): the journal is created in a writable directory and
 * never over an existing file (its default name lands in the working directory), and the pause file
 * can be created where it is looked for.
 */
export function checkFlushPaths(s: FlushSettings): void {
  const n = namesOf(s);
  // A dry run writes no journal: a path it will not write is not refused (the real run checks it).
  if (s.hashfile && !s.dryRun) {
    checkNewFile(
      n.name('hashfile'),
      s.hashfile,
      'it may be the journal of an unfinished run; recover with it, or give another path',
    );
  } else if (!s.dryRun) {
    checkWorkingDirectory(n.name('hashfile'), 'the journal');
  }
  if (s.controls?.pauseFile)
    checkDirectoryFor(n.name('pause-file'), s.controls.pauseFile, { writable: false });
  if (s.controls?.controlFile) {
    if (s.controls.controlFile === s.controls.pauseFile)
      throw new InputError(
        n.name('control-file'),
        `is the same file as ${n.name('pause-file')}; give another path`,
      );
    checkDirectoryFor(n.name('control-file'), s.controls.controlFile, { writable: true });
  }
}

/** MySQL 8.3+ tags: a letter or underscore, then letters, digits, underscores; 32 at most. */
const GTID_TAG = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

function buildGtid(src: InputSource): GtidPlacement | undefined {
  const domain = given(src.get('gtid-domain-id'));
  const tag = given(src.get('gtid-tag'));
  if (domain !== undefined && tag !== undefined) {
    throw new InputError(
      src.names.name('gtid-tag'),
      `cannot be combined with ${src.names.name('gtid-domain-id')}: a domain is MariaDB's, a tag MySQL's; give the one your server has`,
    );
  }
  if (tag !== undefined && !GTID_TAG.test(tag)) {
    throw new InputError(
      src.names.name('gtid-tag'),
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
    throw new InputError(
      src.names.name('hashfile'),
      'is required: the journal written by the flush to recover',
    );
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
    throw new InputError(
      src.names.name('hashfile'),
      'is required: the journal written by the flush to verify',
    );
  return {
    connection: buildConnection(src, env),
    hashfile,
    timeout: int(src, 'timeout', DEFAULTS.timeout, LIMITS.timeout),
  };
}
