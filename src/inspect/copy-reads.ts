/** The copy's reads, on the set-aside table: the key's extent, a chunk's rows, a session's life. Read-only. */
import type { Db } from '../db/connection.js';
import type { Chunk, CopyKey, KeyValue } from '../model/copy.js';
import {
  countAfterStart,
  countChunkOf,
  cutFinds,
  keyExtent,
  nextCut,
  sessionExists,
} from '../sql/builders.js';

/** MIN and MAX of a single-column integer key; null for an empty table. */
export async function keyExtentOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
): Promise<{ lo: bigint; hi: bigint } | null> {
  const ext = await db.one(keyExtent({ schema, backup }, key));
  if (ext?.lo === null || ext?.lo === undefined) return null;
  return { lo: BigInt(String(ext.lo)), hi: BigInt(String(ext.hi)) };
}

/**
 * The walk over the key: every `size`-th key value in the key's order, each as its carriers' text,
 * read from the index alone. Each cut is proven before the next is looked for: its literal must find
 * exactly the row it was read from, or the walk stops and says why (the table then goes by one lane).
 * The next cut is found after the literal itself, so the chunks are cut by exactly what they will say.
 */
export async function keyCutsOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
  size: number,
): Promise<KeyValue[] | string> {
  const from = { schema, backup };
  const cuts: KeyValue[] = [];
  for (;;) {
    const row = await db.one(nextCut(from, key, size, cuts[cuts.length - 1]));
    if (!row) return cuts;
    const cut = key.columns.map((_, i) => String(row[`k${i}`]));
    const n = Number((await db.one(cutFinds(from, key, cut)))?.n ?? 0);
    if (n !== 1)
      return `the boundary ${cuts.length + 1} read from ${key.index} finds ${n} rows when sent back, not the 1 it came from`;
    cuts.push(cut);
  }
}

/** The rows one chunk copies (to count a chunk that committed while its reply was lost). */
export async function chunkRowsOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey | undefined,
  chunk: Chunk,
): Promise<number> {
  return Number((await db.one(countChunkOf({ schema, backup }, key, chunk)))?.n ?? 0);
}

/** Rows after the keyset start @bf_s* (all when `first`): what a last keyset chunk holds. */
export async function rowsAfterStart(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
  first: boolean,
): Promise<number> {
  return Number((await db.one(countAfterStart({ schema, backup }, key, first)))?.n ?? 0);
}

/** Whether a session still exists on the server. */
export async function sessionAlive(db: Db, threadId: number): Promise<boolean> {
  return Number((await db.one(sessionExists(threadId)))?.n ?? 0) > 0;
}
