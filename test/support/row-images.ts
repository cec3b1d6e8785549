/**
 * A second reader of what a flush wrote: @vlasky/zongji, the binlog client a CDC consumer would use,
 * over the replication protocol. Per table, every table map's metadata and every inserted row,
 * decoded column by column (geometry included, which MySQL 9.7's mysqlbinlog cannot decode).
 */
import ZongJi from '@vlasky/zongji';
import '../../src/verify/zongji-vector.js';
import { randomInt } from 'node:crypto';
import { connectionOptions } from '../../src/db/connection.js';
import { comparePositions } from '../../src/verify/check.js';
import type { ServerInfo } from '../sandbox/types.js';
import { settingsFor } from './db.js';
import { UNDECODED, type BinlogEvent, type Position } from './binlog.js';
import { quoteIdent } from '../../src/sql/quote.js';

export interface TableImages {
  /** Each distinct table map (column types, their metadata, and the optional metadata), as JSON. */
  maps: string[];
  /** Each inserted row, its values in column order, as JSON (buffers as hex). */
  rows: string[];
  /** What the reader could not decode (a column type it does not know), if anything. */
  error?: string;
}

interface MapEvent {
  tableId: number;
  schemaName: string;
  tableName: string;
  columnTypes: number[];
  columnsMetadata?: unknown[];
  columnNames?: string[];
  signedness?: boolean[];
  primaryKey?: unknown;
  columnVisibility?: boolean[];
  geometryTypes?: unknown[];
  _columnCharsetIds?: unknown[];
  _enumSetValues?: unknown[];
}

interface AnyEvent extends Partial<MapEvent> {
  getEventName(): string;
  nextPosition: number;
  binlogName?: string;
  rows?: Record<string, unknown>[];
}

/** JSON that tells every value apart: buffers as hex, bigints and dates as text. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, function (this: unknown, _k, x: unknown) {
    if (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer') {
      return { hex: Buffer.from((x as { data: number[] }).data).toString('hex') };
    }
    if (typeof x === 'bigint') return { big: x.toString() };
    return x;
  });
}

function mapOf(e: MapEvent): string {
  return canonical({
    types: e.columnTypes,
    meta: e.columnsMetadata,
    names: e.columnNames,
    signed: e.signedness,
    pk: e.primaryKey,
    visible: e.columnVisibility,
    geometry: e.geometryTypes,
    charsets: e._columnCharsetIds,
    enumSet: e._enumSetValues,
  });
}

const after = (a: Position, b: Position) => comparePositions(a, b) > 0;

/** Per `schema.table`, what the binlog holds between two coordinates (inserts only). */
export async function readRowImages(
  server: ServerInfo,
  start: Position,
  end: Position,
): Promise<Map<string, TableImages>> {
  const out = new Map<string, TableImages>();
  if (comparePositions(start, end) >= 0) return out;
  const get = (schema: string, table: string) => {
    const k = `${schema}.${table}`;
    let v = out.get(k);
    if (!v) out.set(k, (v = { maps: [], rows: [] }));
    return v;
  };
  const z = new ZongJi({ ...connectionOptions(settingsFor(server)), multipleStatements: false });
  let file = start.file;
  let current: MapEvent | undefined;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (e?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      z.stop();
      if (e) reject(e instanceof Error ? e : new Error(String(e)));
      else resolve(out);
    };
    const idle = setTimeout(
      () => finish(new Error(`zongji: nothing up to ${end.file}:${end.position}`)),
      60_000,
    );
    z.on('error', (e: unknown) => {
      // An unknown column type: that table cannot be decoded here; the stream goes on.
      if (current) get(current.schemaName, current.tableName).error = String((e as Error).message ?? e);
      else finish(e);
    });
    z.on('binlog', (raw: unknown) => {
      const e = raw as AnyEvent;
      const name = e.getEventName();
      if (name === 'rotate') {
        file = e.binlogName ?? file;
        return;
      }
      if (!e.nextPosition) return;
      if (after({ file, position: e.nextPosition }, end)) return finish();
      if (name === 'tablemap') {
        current = e as unknown as MapEvent;
        const img = get(current.schemaName, current.tableName);
        const m = mapOf(current);
        if (!img.maps.includes(m)) img.maps.push(m);
      } else if (name === 'writerows' && current) {
        const img = get(current.schemaName, current.tableName);
        for (const r of e.rows ?? []) img.rows.push(canonical(Object.values(r)));
      }
      if (file === end.file && e.nextPosition >= end.position) finish();
    });
    z.start({
      filename: start.file,
      position: start.position,
      serverId: randomInt(2_000_000_000, 4_000_000_000),
      includeEvents: ['rotate', 'tablemap', 'writerows', 'xid', 'query'],
    });
  });
}

/**
 * Where the server's reader stopped at a value it cannot decode (MySQL 9.7's mysqlbinlog and any
 * GEOMETRY column), every table's rows as zongji decoded them, by quoted name (for `binlogProblems`).
 */
export async function otherReaderRows(
  server: ServerInfo,
  events: BinlogEvent[],
  range: { start: Position; end: Position },
): Promise<Map<string, string[]> | undefined> {
  if (!events.some((e) => e.kind === 'row' && e.values.some((v) => v.startsWith(UNDECODED))))
    return undefined;
  const images = await readRowImages(server, range.start, range.end);
  return new Map(
    [...images].map(([k, v]) => {
      const dot = k.indexOf('.');
      return [`${quoteIdent(k.slice(0, dot))}.${quoteIdent(k.slice(dot + 1))}`, v.rows];
    }),
  );
}
