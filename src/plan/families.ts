/**
 * Foreign-key families: tables tied by foreign keys, directly or through other tables. MySQL takes
 * metadata locks on a table's FK parents and children when it is renamed, so two workers renaming
 * tables of one family at once can deadlock each other (ER_LOCK_DEADLOCK, seen on MySQL 9.7). The
 * engine renames the tables of one family one at a time. Pure: works on what the inspector read.
 */

import type { ForeignKeyEdge } from '../model/table.js';

const key = (schema: string, table: string) => `${schema}\u0000${table}`;

/**
 * The family of each planned table, as a number shared by every table of one family (connected
 * through any table, planned or not). A table without foreign keys is a family of its own.
 */
export function fkFamilies(
  tables: { id: number; schema: string; table: string }[],
  edges: ForeignKeyEdge[],
): Map<number, number> {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    // Path compression: every name on the way points at the root.
    for (let n = k; n !== root;) {
      const next = parent.get(n)!;
      parent.set(n, root);
      n = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const e of edges) union(key(e.childSchema, e.child), key(e.parentSchema, e.parent));
  const ids = new Map<string, number>();
  const out = new Map<number, number>();
  for (const t of [...tables].sort((a, b) => a.id - b.id)) {
    const root = find(key(t.schema, t.table));
    if (!ids.has(root)) ids.set(root, t.id);
    out.set(t.id, ids.get(root)!);
  }
  return out;
}
