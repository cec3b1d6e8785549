/**
 * Server facts: version and flavour, ids, log_bin, read_only and GTID mode, engines, global
 * variables and status. Read-only.
 */
import {
  engineSupportOf,
  globalStatusLike,
  globalVariablesIn,
  serverFacts,
  versionQuery,
} from '../sql/reads.js';
import type { Db } from '../db/connection.js';
import { dialectFor, parseVersion, type Dialect } from '../flavours/index.js';
import type { Switch } from '../journal/journal.js';
import { bool, num, str } from './cells.js';

export interface ServerFacts {
  dialect: Dialect;
  serverId: number;
  serverUuid: string;
  hostname: string;
  logBin: boolean;
  readOnly: boolean;
  superReadOnly: boolean;
  gtidOn: boolean;
}

export async function readServer(db: Db): Promise<ServerFacts> {
  const base = await db.one(...versionQuery());
  const version = parseVersion(str(base?.v), str(base?.vc));
  const dialect = dialectFor(version);
  const r = await db.one(...serverFacts(dialect.serverFactExprs));
  return {
    dialect,
    serverId: num(r?.sid),
    serverUuid: str(r?.uuid),
    hostname: str(r?.host),
    logBin: bool(r?.log_bin),
    readOnly: bool(r?.ro),
    superReadOnly: bool(r?.sro),
    gtidOn: str(r?.gtid).toUpperCase().startsWith('ON'),
  };
}

export async function engineSupport(db: Db, engine: string): Promise<string> {
  const r = await db.one(...engineSupportOf(engine));
  return str(r?.s).toUpperCase();
}

/**
 * Global variables' values in one round trip, upper case (SHOW VARIABLES words switches ON/OFF); a
 * variable the server does not have is absent from the map.
 */
export async function globalVariables(db: Db, names: string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const rows = await db.rows(...globalVariablesIn(names));
  return new Map(rows.map((r) => [str(r.Variable_name).toLowerCase(), str(r.Value).toUpperCase()]));
}

/** A numeric server status (SHOW GLOBAL STATUS), e.g. Threads_running; 0 when unknown. */
export async function globalStatus(db: Db, name: string): Promise<number> {
  const r = await db.one(...globalStatusLike(name));
  return Number(r?.Value ?? 0) || 0;
}

/** Whether SHOW GLOBAL STATUS lists `name` (a status it does not list reads as 0 forever). */
export async function globalStatusExists(db: Db, name: string): Promise<boolean> {
  const rows = await db.rows(...globalStatusLike(name));
  return rows.some((r) => String(r.Variable_name).toLowerCase() === name.toLowerCase());
}

/** The read-only switches as the server has them; super_read_only absent where there is none (MariaDB). */
export interface ReadOnlyState {
  read_only: Switch;
  super_read_only?: Switch;
}

const onOff = (v: string): Switch => (['1', 'ON'].includes(v.toUpperCase()) ? 'ON' : 'OFF');

/** Both switches, in one round trip; a variable the server does not have is not read. */
export async function readOnlyState(db: Db): Promise<ReadOnlyState> {
  const v = await globalVariables(db, ['read_only', 'super_read_only']);
  const sro = v.get('super_read_only');
  return {
    read_only: onOff(v.get('read_only') ?? 'OFF'),
    ...(sro === undefined ? {} : { super_read_only: onOff(sro) }),
  };
}
