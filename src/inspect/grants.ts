/** The current user's privileges, and what they allow on a schema. Read-only. */
import type { Db } from '../db/connection.js';
import { currentUser, schemaPrivileges, userPrivileges } from '../sql/reads.js';
import { str } from './cells.js';

/** Privileges of the current user: global ones, and per schema pattern (LIKE syntax). */
export interface Grants {
  global: Set<string>;
  schemas: { pattern: string; privilege: string }[];
}

export async function currentGrants(db: Db): Promise<Grants> {
  const who = str((await db.one(...currentUser()))?.u);
  const at = who.lastIndexOf('@');
  const grantee = `'${who.slice(0, at)}'@'${who.slice(at + 1)}'`;
  const g = await db.rows(...userPrivileges(grantee));
  const sc = await db.rows(...schemaPrivileges(grantee));
  return {
    global: new Set(g.map((r) => str(r.p).toUpperCase())),
    schemas: sc.map((r) => ({ pattern: str(r.s), privilege: str(r.p).toUpperCase() })),
  };
}

/** MySQL's schema-grant pattern matching: % and _ wildcards, backslash escapes. */
export function schemaPatternMatches(pattern: string, schema: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 'su').test(schema);
}

export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'CREATE', 'DROP', 'ALTER'] as const;

/** Table privileges missing on `schema` (global or schema-level grants count). */
export function missingSchemaPrivileges(g: Grants, schema: string): string[] {
  return TABLE_PRIVILEGES.filter(
    (p) =>
      !g.global.has(p) &&
      !g.schemas.some((x) => x.privilege === p && schemaPatternMatches(x.pattern, schema)),
  );
}

/** Why the server refuses this user a statement (its message), or undefined when it runs it. */
export async function refusalOf(db: Db, sql: string): Promise<string | undefined> {
  try {
    await db.rows(sql);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
