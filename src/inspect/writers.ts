/**
 * Pure helpers for "what else could write into a table while it is set aside": does a trigger's or
 * an event's SQL write into one of the flushed tables, and which sessions' users may write despite
 * read_only. Deliberately generous: a false alarm costs a look, a miss costs rows.
 */

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
