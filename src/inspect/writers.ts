/**
 * Pure helpers for "what else could write into a table while it is set aside": does a trigger's or
 * an event's SQL write into one of the flushed tables, and which sessions' users may write despite
 * read_only. Deliberately generous: a false alarm costs a look, a miss costs rows.
 */
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import {
  allTriggers,
  currentUser,
  enabledEvents,
  eventScheduler,
  granteesWith,
  otherClientSessions,
  readAccounts,
} from '../sql/reads.js';
import { num, str } from './cells.js';
import { runSessions } from '../db/run-lock.js';

export interface TableName {
  schema: string;
  table: string;
}

const WRITE_VERB = /\b(INSERT|REPLACE|UPDATE|DELETE|LOAD)\b/i;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The flushed tables that `sql` names in a statement that writes (by their table name). */
export function writesInto(sql: string, tables: TableName[]): TableName[] {
  if (!WRITE_VERB.test(sql)) return [];
  return tables.filter((t) => {
    const name = escapeRe(t.table);
    // `name`, name as a bare word, or schema.name in any quoting.
    return new RegExp(`(\`${name.replaceAll('`', '``')}\`|(^|[^\\w$\`])${name}($|[^\\w$\`]))`, 'iu').test(
      sql,
    );
  });
}

/** 'user'@'host' -> user */
export function granteeUser(grantee: string): string {
  const m = /^'((?:[^']|'')*)'@'/.exec(grantee);
  return m ? m[1]!.replaceAll("''", "'") : grantee;
}

/** Users (by name) holding any of the privileges, from information_schema.USER_PRIVILEGES rows. */
export function usersWith(
  rows: { grantee: string; privilege: string }[],
  privileges: string[],
): Map<string, string[]> {
  const wanted = new Set(privileges.map((p) => p.toUpperCase()));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    if (!wanted.has(r.privilege.toUpperCase())) continue;
    const u = granteeUser(r.grantee);
    out.set(u, [...new Set([...(out.get(u) ?? []), r.privilege.toUpperCase()])]);
  }
  return out;
}

/** A client session of someone else (not a server thread, not a binlog reader). */
export interface OtherSession {
  id: number;
  user: string;
  host: string;
  /** Privileges that let it write while read_only is ON; undefined when this user cannot read them. */
  bypass?: string[];
}

/** What can still write into the flushed tables once read_only is ON (see inspect/writers.ts). */
export interface LocalWriters {
  sessions: OtherSession[];
  events: { schema: string; name: string; definer: string }[];
  triggers: { schema: string; name: string; on: string; into: string[] }[];
}

export async function localWriters(db: Db, d: Dialect, flushed: TableName[]): Promise<LocalWriters> {
  const ours = new Set(await runSessions(db));
  const sessions = (await db.rows(...otherClientSessions())).filter((r) => !ours.has(num(r.id)));
  const canSeeAll = await db
    .rows(...readAccounts(d.accountsTable))
    .then(() => true)
    .catch(() => false);
  const current = str((await db.one(...currentUser()))?.u);
  const me = current.slice(0, current.lastIndexOf('@'));
  const privRows = await db.rows(...granteesWith(d.privileges.readOnlyBypass));
  const bypass = usersWith(
    privRows.map((r) => ({ grantee: str(r.g), privilege: str(r.p) })),
    d.privileges.readOnlyBypass,
  );
  const result: LocalWriters = {
    sessions: sessions.map((r) => {
      const user = str(r.u);
      const known = canSeeAll || user === me;
      return { id: num(r.id), user, host: str(r.h), bypass: known ? (bypass.get(user) ?? []) : undefined };
    }),
    events: [],
    triggers: [],
  };
  const schemas = new Set(flushed.map((t) => t.schema));
  const key = (s: string, t: string) => `${s}\u0000${t}`;
  const flushedKeys = new Set(flushed.map((t) => key(t.schema, t.table)));
  if (str((await db.one(...eventScheduler()))?.e).toUpperCase() === 'ON') {
    const ev = await db.rows(...enabledEvents());
    result.events = ev
      .filter((e) => schemas.has(str(e.s)) || writesInto(str(e.b), flushed).length > 0)
      .map((e) => ({ schema: str(e.s), name: str(e.n), definer: str(e.d) }));
  }
  const trg = await db.rows(...allTriggers());
  for (const t of trg) {
    if (flushedKeys.has(key(str(t.os), str(t.ot)))) continue; // moves with its table: never fires on a twin
    const into = writesInto(str(t.b), flushed);
    if (into.length) {
      result.triggers.push({
        schema: str(t.s),
        name: str(t.n),
        on: `${str(t.os)}.${str(t.ot)}`,
        into: into.map((x) => `${x.schema}.${x.table}`),
      });
    }
  }
  return result;
}
