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
 * One step of the walk over the key: the key value `size` rows after `after` (after the start when
 * undefined), as its carriers' text, read from the index alone; undefined when fewer rows remain. The
 * cut is proven before it is returned: its literal must find exactly the row it was read from, else
 * the reason it does not is returned. The next step starts after the literal itself, so the chunks are
 * cut by exactly what their statements will say.
 */
export async function nextCutOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
  size: number,
  after: KeyValue | undefined,
): Promise<KeyValue | undefined | string> {
  const from = { schema, backup };
  const row = await db.one(nextCut(from, key, size, after));
  if (!row) return undefined;
  const cut = key.columns.map((_, i) => String(row[`k${i}`]));
  const n = Number((await db.one(cutFinds(from, key, cut)))?.n ?? 0);
  if (n !== 1)
    return `a boundary read from ${key.index} finds ${n} rows when sent back, not the 1 it came from`;
  return cut;
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
