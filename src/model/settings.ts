/**
 * One typed settings object for every entry point (CLI and action). Entry points only collect raw
 * strings; everything is validated here, once, before anything connects.
 */
import type { InputKey, Surface } from './input-names.js';
import { InputError } from './errors.js';
import { LOAD_STATUS, defaultOf, limitsOf, valuesOf } from './inputs.js';

export type SslMode = 'DISABLED' | 'PREFERRED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';
export const SSL_MODES = valuesOf('ssl-mode') as readonly SslMode[];

export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  /** Never printed; registered as a secret by whoever reads it. */
  password?: string;
  socket?: string;
  ssl: { mode: SslMode; ca?: string; cert?: string; key?: string };
  /** The surface the settings came from, for naming inputs in messages (default: the command line). */
  surface?: Surface;
}

export interface TableFilter {
  /** undefined: any selected schema */
  schema?: string;
  table: string;
}

export type DdlMode = 'create' | 'none';

export interface Selection {
  databases: string[];
  tables: TableFilter[];
  /** Schemas left out (`--skip app`). */
  skip: string[];
  /** Tables left out (`--skip app.audit`): always with their schema. Absent: none. */
  skipTables?: Required<TableFilter>[];
}

/* Which tables a selection covers: the one rule discovery, preflight and recover all follow. */

/** A schema is selected when --db names it (or --db is empty) and --skip does not. */
export function selectsSchema(sel: Selection, schema: string): boolean {
  return (sel.databases.length === 0 || sel.databases.includes(schema)) && !sel.skip.includes(schema);
}

/** One --table entry names this table: same name, and same schema when the entry gives one. */
export function namesTable(f: TableFilter, schema: string, table: string): boolean {
  return f.table === table && (!f.schema || f.schema === schema);
}

/** --skip names this table (`schema.table`). */
export function skipsTable(sel: Selection, schema: string, table: string): boolean {
  return (sel.skipTables ?? []).some((f) => namesTable(f, schema, table));
}

/**
 * A table is selected when its schema is, --table names it (or --table is empty), and --skip does
 * not name it.
 */
export function selectsTable(sel: Selection, schema: string, table: string): boolean {
  if (!selectsSchema(sel, schema) || skipsTable(sel, schema, table)) return false;
  return sel.tables.length === 0 || sel.tables.some((f) => namesTable(f, schema, table));
}

export interface ReplicationSettings {
  stopReplica: boolean;
  startReplica: boolean;
}

export interface FlushSettings {
  connection: ConnectionSettings;
  selection: Selection;
  replication: ReplicationSettings;
  concurrency: number;
  chunkSize: number;
  ddl: DdlMode;
  hashfile?: string;
  dryRun: boolean;
  allowPrimary: boolean;
  allowDownstream: boolean;
  rotateBinlog: boolean;
  /** Seconds any one statement may take before the server counts as not answering. */
  timeout: number;
  /** A journal of an earlier, recovered run: tables it finished are not flushed again. */
  resumeFrom?: string;
  /** Seconds to wait for another run to release the server's run lock. */
  lockWait: number;
  /**
   * Turn read_only ON for the run when it is OFF, or (MySQL) super_read_only OFF when it is ON with
   * read_only kept ON; back at the end. false: neither is touched.
   */
  setReadOnly: boolean;
  /** Run although preflight found enabled events that write into the selected tables. */
  allowWriters: boolean;
  /** End the run at the first table that fails (by default it is put back and the others go on). */
  stopOnError: boolean;
  /** Most tables set aside at once (readers of the replica cannot see a table that is aside). */
  maxTablesAside?: number;
  /** The operator's controls: pause, brake, rate cap, status line. */
  controls?: RunControls;
  /** A flush in windows (`--max-lag`), the applier replicating between them; absent: one stop. */
  windows?: WindowSettings;
  /** Where the flush's transactions go in the GTID history (see plan/gtid.ts). */
  gtid?: GtidPlacement;
  /** Hours the binlog must outlive the run's estimated end before preflight warns. */
  retentionMarginHours?: number;
  /** The resumable inputs the user chose (the others are defaults): `--resume` keeps the earlier run's. */
  chosen?: InputKey[];
}

/**
 * MariaDB: the flush's transactions in their own GTID domain; MySQL 8.3+: under a GTID tag. Either way
 * they can be told apart from the source's, and a DBA can keep other servers from applying them.
 */
export interface GtidPlacement {
  domainId?: number;
  tag?: string;
}

/**
 * A flush in windows (issue 27): the applier stopped for at most `window` seconds of copying at a
 * time, then started and left to catch up until the lag is at most `catchUpTo`, so that the replica
 * is never more than about `maxLag` seconds behind its source (a window opens at `catchUpTo` at
 * most and copies for `window` at most: their sum is `maxLag`), plus the overrun of the chunks in
 * flight when a window's time is up.
 */
export interface WindowSettings {
  /** Seconds the replica may be behind its source. */
  maxLag: number;
  /** Seconds one window copies at most. */
  window: number;
  /** The next window opens once the lag is at most this (`maxLag - window`). */
  catchUpTo: number;
  /** A SELECT whose one value is the lag in seconds; absent: the replica status's own figure. */
  lagQuery?: string;
}

/** A window's budget when only `--max-lag` is given: half of it, rounded up. */
export function defaultWindow(maxLag: number): number {
  return Math.ceil(maxLag / 2);
}

/**
 * `--lag-query`: one SELECT (or WITH ... SELECT), one statement (a trailing `;` is dropped), whose
 * value is read as the lag; anything else is refused naming the input.
 */
export function parseLagQuery(input: string, raw: string): string {
  const q = raw.trim().replace(/;\s*$/, '').trim();
  if (!/^(select|with)\b/i.test(q))
    throw new InputError(
      input,
      `expected one SELECT whose one value is the lag in seconds (e.g. SELECT TIMESTAMPDIFF(SECOND, ts, NOW()) FROM heartbeat), got ${JSON.stringify(raw)}`,
    );
  if (q.includes(';'))
    throw new InputError(input, 'holds more than one statement (a `;` inside it); give one SELECT');
  return q;
}

export interface RunControls {
  /** No new chunk while this file exists. */
  pauseFile?: string;
  /** The live control channel: commands appended to this file (status, pause, resume, throttle, abort). */
  controlFile?: string;
  /** The run ends cleanly (every table put back) once this server status is over this limit. */
  criticalLoad?: { status: string; limit: number };
  /** The server status the brake watches (SHOW GLOBAL STATUS name). */
  brakeStatus: string;
  /** No new chunk while that status is over this. */
  brakeLimit?: number;
  /** At most this many rows per second over the whole run. */
  maxRowsPerSecond?: number;
  /** Seconds between status lines; 0: none. */
  statusInterval: number;
}

export interface RecoverSettings {
  connection: ConnectionSettings;
  selection: Selection;
  replication: ReplicationSettings;
  hashfile: string;
  dryRun: boolean;
  timeout: number;
  /** Seconds to wait for another run to release the server's run lock. */
  lockWait: number;
}

export interface VerifySettings {
  connection: ConnectionSettings;
  hashfile: string;
  /** Seconds without a binlog event before the read counts as stuck. */
  timeout: number;
  /** Compare row counts only: do not read the tables. */
  countsOnly?: boolean;
}

/** The inputs' defaults, as the settings name them (each written once, in the registry: inputs.ts). */
export const DEFAULTS = {
  port: defaultOf('port', 'number'),
  /** The user when neither the input nor the option file names one. */
  user: defaultOf('user', 'string'),
  timeout: defaultOf('timeout', 'number'),
  lockWait: defaultOf('lock-wait', 'number'),
  setReadOnly: defaultOf('set-read-only', 'boolean'),
  allowWriters: defaultOf('allow-writers', 'boolean'),
  stopOnError: defaultOf('stop-on-error', 'boolean'),
  concurrency: defaultOf('concurrency', 'number'),
  chunkSize: defaultOf('chunk-size', 'number'),
  ddl: defaultOf('ddl', 'string') as DdlMode,
  stopReplica: defaultOf('stop-replica', 'boolean'),
  startReplica: defaultOf('start-replica', 'boolean'),
  brakeStatus: LOAD_STATUS,
  statusInterval: defaultOf('status-interval', 'number'),
  retentionMarginHours: defaultOf('retention-margin', 'number'),
  /**
   * Rows per second the run is assumed to copy for its duration estimate: a tenth of one worker's
   * measured rate (docs/benchmarks.md), so a busy replica is not promised an early end.
   */
  assumedRowsPerSecond: 100_000,
};

/** Each binlog transaction of ours is kept to about this many bytes of rows, whatever --chunk-size says. */
export const CHUNK_BYTES = 64 * 1024 * 1024;

/** The inputs' limits, as the settings name them (the registry's: inputs.ts). */
export const LIMITS = {
  concurrency: limitsOf('concurrency'),
  chunkSize: limitsOf('chunk-size'),
  port: limitsOf('port'),
  timeout: limitsOf('timeout'),
  lockWait: limitsOf('lock-wait'),
  maxTablesAside: limitsOf('max-tables-aside'),
  /** Of max-load and critical-load alike. */
  brakeLimit: limitsOf('max-load'),
  maxRowsPerSecond: limitsOf('max-rows-per-second'),
  statusInterval: limitsOf('status-interval'),
  gtidDomainId: limitsOf('gtid-domain-id'),
  retentionMarginHours: limitsOf('retention-margin'),
  maxLag: limitsOf('max-lag'),
  window: limitsOf('window'),
};

/**
 * The action's post step restores tables right after the main step was killed: the server may still
 * be running the dead step's last statements, so it waits at least this long for them.
 */
export const POST_STEP_LOCK_WAIT_S = 300;

/** Parse a whole number within a range, naming the input on failure. */
export function parseIntInput(
  input: string,
  raw: string | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    throw new InputError(
      input,
      `expected a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`,
    );
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new InputError(input, `expected a whole number from ${range.min} to ${range.max}, got ${text}`);
  }
  return n;
}

export function parseBoolInput(input: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InputError(input, `expected true or false, got ${JSON.stringify(raw)}`);
}

export function parseEnumInput<T extends string>(
  input: string,
  raw: string | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim();
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw new InputError(input, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return hit;
}

/** Characters an identifier given on the command line may never hold. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN_IN_NAME = /[\u0000-\u001f`'";\\]/u;

export function checkName(input: string, name: string, what: string): string {
  if (name.length === 0) throw new InputError(input, `empty ${what} name in the list`);
  if (name.length > 64)
    throw new InputError(input, `${what} name ${JSON.stringify(name)} is longer than 64 characters`);
  if (FORBIDDEN_IN_NAME.test(name)) {
    throw new InputError(
      input,
      `${what} name ${JSON.stringify(name)} holds a quote, backtick, backslash, semicolon or control character; ` +
        'give the plain name as the server shows it (no quoting)',
    );
  }
  if (name !== name.trim())
    throw new InputError(input, `${what} name ${JSON.stringify(name)} has leading or trailing spaces`);
  return name;
}

/** Split a comma list; empty input gives []. */
export function splitList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const t = raw.trim();
  if (t === '') return [];
  return t.split(',').map((s) => s.trim());
}

export function parseSchemas(input: string, raw: string | undefined): string[] {
  return dedupe(splitList(raw).map((n) => checkName(input, n, 'schema')));
}

/**
 * `table` or `schema.table`. A name that itself holds a dot can only be given as `schema.table`
 * with the first dot separating schema and table.
 */
export function parseTables(input: string, raw: string | undefined): TableFilter[] {
  return splitList(raw).map((item) => {
    const dot = item.indexOf('.');
    if (dot < 0) return { table: checkName(input, item, 'table') };
    return {
      schema: checkName(input, item.slice(0, dot), 'schema'),
      table: checkName(input, item.slice(dot + 1), 'table'),
    };
  });
}

/**
 * `--skip`: a plain name is a schema, `schema.table` one table (as in `--table`, the first dot
 * separates them).
 */
export function parseSkip(input: string, raw: string | undefined): Pick<Selection, 'skip' | 'skipTables'> {
  const skip: string[] = [];
  const skipTables: Required<TableFilter>[] = [];
  for (const item of splitList(raw)) {
    const dot = item.indexOf('.');
    if (dot < 0) {
      skip.push(checkName(input, item, 'schema'));
      continue;
    }
    const t = {
      schema: checkName(input, item.slice(0, dot), 'schema'),
      table: checkName(input, item.slice(dot + 1), 'table'),
    };
    if (!skipTables.some((x) => namesTable(x, t.schema, t.table))) skipTables.push(t);
  }
  return { skip: dedupe(skip), skipTables };
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function checkHost(input: string, raw: string | undefined, portInput = '--port'): string {
  const h = (raw ?? '').trim();
  if (h === '') throw new InputError(input, "is required: the server's host name or IP address");
  // `db1:3306` or `[::1]:3306` is a host and a port (an IPv6 address alone has two colons or more).
  const withPort = /^(?:\[([^\]]*)\]|([^:[\]]+)):(\d+)$/.exec(h);
  if (withPort)
    throw new InputError(
      input,
      `${JSON.stringify(raw)} holds a port: give the host alone (${withPort[1] ?? withPort[2]}) and the port with ${portInput} (${withPort[3]})`,
    );
  if (/[\s/?#@]/u.test(h) || h.length > 255)
    throw new InputError(input, `not a host name or IP address: ${JSON.stringify(raw)}`);
  return h;
}

/**
 * A schema or a table both selected and skipped is refused; `names`: what the user calls the three
 * settings.
 */
export function validateSelection(
  sel: Selection,
  names = { databases: '--db', tables: '--table', skip: '--skip' },
): Selection {
  for (const s of sel.skip) {
    if (sel.databases.includes(s)) {
      throw new InputError(
        names.skip,
        `schema ${JSON.stringify(s)} is both selected with ${names.databases} and skipped with ${names.skip}`,
      );
    }
  }
  for (const t of sel.skipTables ?? []) {
    if (sel.tables.some((f) => namesTable(f, t.schema, t.table))) {
      throw new InputError(
        names.skip,
        `table ${JSON.stringify(`${t.schema}.${t.table}`)} is both selected with ${names.tables} and skipped with ${names.skip}`,
      );
    }
  }
  return sel;
}
