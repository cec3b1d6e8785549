/**
 * Which key columns can carry a chunk boundary through the client and back exactly (see
 * model/copy.ts Carrier), from the column's type alone. Pure. A key with one column that cannot is
 * copied by one keyset lane, whose boundaries never leave the server; the plan says why.
 */
import type { Carrier, CopyKey } from '../model/copy.js';
import type { Column } from '../model/table.js';

const NUMBER = /^((tiny|small|medium|big)?int|decimal|numeric|year)\b/i;
const TEMPORAL = /^(date|datetime|time)(?:\((\d)\))?$/i;
const BYTES = /^(binary|varbinary)\(/i;
const TEXT = /^(char|varchar)\(/i;

/** The column's carrier, or why its values cannot make a boundary that means exactly the same. */
export function carrierOf(c: Column): Carrier | string {
  const type = c.columnType.trim();
  if (/^(enum|set)\(/i.test(type)) return { kind: 'ordinal' };
  if (NUMBER.test(type)) return { kind: 'number' };
  const t = TEMPORAL.exec(type);
  if (t) {
    return {
      kind: 'temporal',
      type: t[1]!.toUpperCase() as 'DATE' | 'DATETIME' | 'TIME',
      fraction: Number(t[2] ?? 0),
    };
  }
  if (BYTES.test(type)) return { kind: 'bytes' };
  if (TEXT.test(type)) {
    if (!c.charset || !c.collation || c.charset === 'binary') return { kind: 'bytes' };
    return { kind: 'text', charset: c.charset, collation: c.collation };
  }
  if (/^uuid$/i.test(type)) return { kind: 'uuid' };
  if (/^timestamp\b/i.test(type))
    return `${c.name} is a TIMESTAMP, read and compared in the session's time zone, where an hour can repeat`;
  if (/^(float|double|real)\b/i.test(type))
    return `${c.name} is a ${type.split(/[ (]/)[0]!.toUpperCase()}, whose text is not its exact value`;
  return `${c.name} is a ${type}, which binlog-flusher does not cut by value`;
}

/** The key with a carrier per column, or with the reason one column has none. */
export function withCarriers(key: CopyKey | undefined, columns: Column[]): CopyKey | undefined {
  if (!key) return undefined;
  const carriers: Carrier[] = [];
  for (const name of key.columns) {
    const col = columns.find((c) => c.name === name);
    const c = col ? carrierOf(col) : `${name} is not a column of the table`;
    if (typeof c === 'string') return { ...key, uncarried: c };
    carriers.push(c);
  }
  return { ...key, carriers };
}
