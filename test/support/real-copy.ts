/**
 * What the real table would log: the same rows written into a real (not BLACKHOLE) copy of each
 * table, `CREATE TABLE ... LIKE` it in a scratch schema, with binary logging on, and the row events
 * of both compared column by column (table names aside) with the server's own reader (values, type
 * notes and table-map metadata) and with zongji (decoded values and table-map metadata).
 */
import { expect } from 'vitest';
import type mysql from 'mysql2/promise';
import { shellDdl } from '../../src/sql/builders.js';
import type { ServerInfo } from '../sandbox/types.js';
import {
  currentPosition,
  readBinlog,
  sameTable,
  UNDECODED,
  type BinlogEvent,
  type Position,
} from './binlog.js';
import { q, rows, withSql } from './db.js';
import { readRowImages, type TableImages } from './row-images.js';

export const SIDE_SCHEMA = 'bf_real_copy';

/** Session settings of the copy: those a flush session has (the flavour modules, src/flavours/). */
function copySession(server: ServerInfo): string {
  const common =
    "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', SESSION binlog_format = 'ROW', SESSION binlog_row_image = 'FULL'";
  return server.flavour === 'mysql'
    ? `${common}, SESSION binlog_rows_query_log_events = OFF, SESSION binlog_transaction_compression = OFF`
    : `${common}, SESSION binlog_annotate_row_events = OFF`;
}

/**
 * `CREATE TABLE ... LIKE`; where MySQL cannot (it names the copy's CHECK constraints after the
 * table, which a 64-character name leaves no room for), the table's own definition without its CHECK
 * constraints and foreign keys, which no row event carries.
 */
async function createCopy(c: mysql.Connection, schema: string, t: string): Promise<void> {
  try {
    await c.query(`CREATE TABLE ${q(SIDE_SCHEMA)}.${q(t)} LIKE ${q(schema)}.${q(t)}`);
  } catch {
    const [r] = await rows<Record<string, string>>(c, `SHOW CREATE TABLE ${q(schema)}.${q(t)}`);
    await c.query(
      shellDdl({ showCreate: r!['Create Table']!, schema: SIDE_SCHEMA, table: t, stripChecks: true }),
    );
  }
}

/** Copies the tables' rows into real copies in SIDE_SCHEMA; returns the binlog range of the copy. */
export async function writeRealCopies(
  server: ServerInfo,
  schema: string,
  tables: string[],
): Promise<{ start: Position; end: Position }> {
  return withSql(server, async (c) => {
    await c.query(copySession(server));
    await c.query(
      `SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${q(SIDE_SCHEMA)}; CREATE DATABASE ${q(SIDE_SCHEMA)}`,
    );
    for (const t of tables) await createCopy(c, schema, t);
    const start = await currentPosition(server);
    await c.query('SET SESSION sql_log_bin = 1');
    for (const t of tables) {
      const cols = await rows<{ n: string }>(
        c,
        `SELECT COLUMN_NAME AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
            AND NOT (EXTRA LIKE '%GENERATED%' AND EXTRA NOT LIKE '%DEFAULT_GENERATED%') ORDER BY ORDINAL_POSITION`,
        [schema, t],
      );
      const list = cols.map((x) => q(x.n)).join(', ');
      await c.query(
        `INSERT INTO ${q(SIDE_SCHEMA)}.${q(t)} (${list}) SELECT ${list} FROM ${q(schema)}.${q(t)}`,
      );
    }
    await c.query('SET SESSION sql_log_bin = 0');
    return { start, end: await currentPosition(server) };
  });
}

export async function dropRealCopies(server: ServerInfo): Promise<void> {
  await withSql(server, (c) =>
    c.query(`SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${q(SIDE_SCHEMA)}`),
  );
}

/** One table's rows and table maps as the server's reader printed them. */
function fromReader(events: BinlogEvent[], name: string) {
  const rowsOf = events.flatMap((e) =>
    e.kind === 'row' && e.op === 'INSERT' && sameTable(e.table, name)
      ? [JSON.stringify([e.values, e.types])]
      : [],
  );
  const maps = new Set(
    events.flatMap((e) =>
      e.kind === 'table-map' && sameTable(e.table, name) ? [JSON.stringify(e.meta)] : [],
    ),
  );
  return {
    rows: rowsOf.sort(),
    maps: [...maps].sort(),
    undecoded: rowsOf.some((r) => r.includes(UNDECODED)),
  };
}

function fromZongji(images: Map<string, TableImages>, schema: string, table: string) {
  const img = images.get(`${schema}.${table}`) ?? { maps: [], rows: [] };
  // The message names the schema; the copy's is another.
  const error = img.error?.replaceAll(`"${schema}"`, '"<schema>"');
  return { rows: error ? [] : [...img.rows].sort(), maps: [...img.maps].sort(), error };
}

/**
 * The flush's row events of each table against the real copy's: both readers, every column. Returns
 * per table which readers decoded every column (at least one must have).
 */
export async function compareWithRealCopies(
  server: ServerInfo,
  schema: string,
  tables: string[],
  flush: { start: Position; end: Position },
): Promise<Map<string, string[]>> {
  const copy = await writeRealCopies(server, schema, tables);
  try {
    const [flushText, copyText] = await Promise.all([
      readBinlog(server, flush.start, flush.end, { tableMetadata: true }),
      readBinlog(server, copy.start, copy.end, { tableMetadata: true }),
    ]);
    const flushZ = await readRowImages(server, flush.start, flush.end);
    const copyZ = await readRowImages(server, copy.start, copy.end);
    const decodedBy = new Map<string, string[]>();
    for (const t of tables) {
      const label = `${schema}.${t}`;
      const a = fromReader(flushText, `${q(schema)}.${q(t)}`);
      const b = fromReader(copyText, `${q(SIDE_SCHEMA)}.${q(t)}`);
      // Where the server's reader stops at a value it cannot decode, it prints only the first row of
      // each event, and the events of a chunked flush and of one copy hold different rows.
      expect(a.undecoded, `${label}: the server's reader decoded the flush as it did the copy`).toBe(
        b.undecoded,
      );
      if (!a.undecoded)
        expect(a.rows, `${label}: row events (server's reader) against a real copy`).toEqual(b.rows);
      expect(a.maps, `${label}: table maps (server's reader) against a real copy`).toEqual(b.maps);
      const za = fromZongji(flushZ, schema, t);
      const zb = fromZongji(copyZ, SIDE_SCHEMA, t);
      expect(za.error, `${label}: zongji decoded the flush's events as it did the copy's`).toEqual(zb.error);
      expect(za.rows, `${label}: row events (zongji) against a real copy`).toEqual(zb.rows);
      expect(za.maps, `${label}: table maps (zongji) against a real copy`).toEqual(zb.maps);
      decodedBy.set(t, [...(a.undecoded ? [] : ['server']), ...(za.error ? [] : ['zongji'])]);
    }
    return decodedBy;
  } finally {
    await dropRealCopies(server);
  }
}
