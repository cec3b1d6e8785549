/**
 * How each column of a table is compared by value: its kind (what the binlog reader hands over for it
 * and how the table's text is read back), the expression the table is read with, and why a column
 * cannot be compared exactly (then the table is compared by count only). Pure: from the columns as
 * information_schema describes them and the server's flavour.
 */
import iconv from 'iconv-lite';
import type { Flavour } from '../model/version.js';
import { flavourFacts } from '../flavours/index.js';
import type { Column } from '../model/table.js';

export type Kind =
  | 'int'
  | 'decimal'
  | 'float'
  | 'bit'
  | 'year'
  | 'temporal'
  /** TIMESTAMP: the reader reads its seconds as a signed 32-bit number (see canonical.ts). */
  | 'timestamp'
  /** Character data; `char` also drops trailing spaces (the server never keeps them for CHAR). */
  | 'text'
  | 'char'
  /** BINARY(n): trailing zero bytes are padding. */
  | 'binary'
  | 'bytes'
  | 'enum'
  | 'set'
  /** MySQL's binary JSON (MariaDB's JSON is text). */
  | 'json'
  | 'geometry'
  | 'inet4'
  | 'inet6'
  | 'uuid';

export interface ValueColumn {
  name: string;
  kind: Kind;
  /** The column's character set, for character kinds (as information_schema names it). */
  charset: string | null;
  /** ENUM and SET members, in order, as the column defines them. */
  members?: string[];
  /** Read from the table as this expression's value (ENUM/SET as their number, FLOAT/DOUBLE as a double). */
  expression: 'column' | 'number' | 'double';
}

export interface ColumnPlan {
  columns: ValueColumn[];
  /** Why values of this table cannot be compared exactly (empty: they can). */
  inexact: string[];
}

const GEOMETRY = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

const SIMPLE: Record<string, Kind> = {
  tinyint: 'int',
  smallint: 'int',
  mediumint: 'int',
  int: 'int',
  integer: 'int',
  bigint: 'int',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  bit: 'bit',
  year: 'year',
  date: 'temporal',
  datetime: 'temporal',
  timestamp: 'timestamp',
  time: 'temporal',
  binary: 'binary',
  varbinary: 'bytes',
  tinyblob: 'bytes',
  blob: 'bytes',
  mediumblob: 'bytes',
  longblob: 'bytes',
  char: 'char',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
};

/** The type's name as COLUMN_TYPE starts with it (`int(11) unsigned` -> `int`). */
export function baseType(columnType: string): string {
  return (/^[a-z0-9_]+/i.exec(columnType.trim())?.[0] ?? '').toLowerCase();
}

/** The members of an ENUM or SET as COLUMN_TYPE lists them (quotes doubled inside). */
export function parseMembers(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const out: string[] = [];
  let i = open + 1;
  while (open >= 0 && i < columnType.length && columnType[i] === "'") {
    let v = '';
    i++;
    for (; i < columnType.length; i++) {
      const ch = columnType[i]!;
      if (ch === "'" && columnType[i + 1] === "'") {
        v += "'";
        i++;
      } else if (ch === "'") break;
      else v += ch;
    }
    out.push(v);
    i++; // the closing quote
    if (columnType[i] === ',') i++;
  }
  return out;
}

/**
 * The members as the binlog reader (zongji) reads them from COLUMN_TYPE when the binlog does not carry
 * them: split at every comma, a quote stripped at each end, a doubled quote left doubled. Differs from
 * `parseMembers` when a member holds a comma or a quote.
 */
export function readerMembers(columnType: string, prefix: number): string[] {
  return columnType
    .slice(prefix, columnType.length - 1)
    .split(',')
    .map((m) => (m[0] === '"' || m[0] === "'" ? m.slice(1, m.length - 1) : m));
}

/** MySQL character set names as iconv-lite spells them (MySQL's latin1 is Windows-1252). */
const ICONV_NAMES: Record<string, string> = {
  utf8: 'utf8',
  utf8mb3: 'utf8',
  utf8mb4: 'utf8',
  latin1: 'cp1252',
  ucs2: 'utf16-be',
  utf16: 'utf16-be',
  utf16le: 'utf16-le',
  utf32: 'utf32-be',
  ujis: 'eucjp',
  eucjpms: 'eucjp',
  macce: 'maccenteuro',
};

/** The decoder name for a character set, or undefined when there is none (the reader hands bytes over). */
export function decoderFor(charset: string): string | undefined {
  const name = ICONV_NAMES[charset] ?? charset;
  return name === 'utf8' || iconv.encodingExists(name) ? name : undefined;
}

function kindOf(c: Column, flavour: Flavour): Kind | string {
  const base = baseType(c.columnType);
  const types = flavourFacts(flavour).valueTypes;
  if (GEOMETRY.has(base)) return 'geometry';
  if (base === 'enum' || base === 'set') return base;
  if (base === 'json' && types.nativeJson) return 'json';
  if (base === 'json') return c.charset === null ? 'bytes' : 'text';
  if (types.ownTypes.includes(base)) return base;
  // MariaDB's VECTOR travels as VARBINARY; MySQL's has a type of its own, read as a BLOB (zongji-vector.ts).
  if (base === 'vector') return 'bytes';
  const kind = SIMPLE[base];
  if (!kind) return `column ${c.name}: type ${c.columnType} is not compared by value`;
  if ((kind === 'char' || kind === 'text') && c.charset === null) return kind === 'char' ? 'binary' : 'bytes';
  return kind;
}

/** The plan for one table's columns (in table order). */
export function planColumns(cols: Column[], flavour: Flavour): ColumnPlan {
  const columns: ValueColumn[] = [];
  const inexact: string[] = [];
  for (const c of cols) {
    const kind = kindOf(c, flavour);
    if (!isKind(kind)) {
      inexact.push(kind);
      continue;
    }
    const v: ValueColumn = { name: c.name, kind, charset: c.charset, expression: 'column' };
    if (kind === 'float') v.expression = 'double';
    if (kind === 'enum' || kind === 'set') {
      v.expression = 'number';
      v.members = parseMembers(c.columnType);
      const prefix = kind === 'enum' ? 5 : 4;
      if (readerMembers(c.columnType, prefix).join('\u0000') !== v.members.join('\u0000'))
        inexact.push(
          `column ${c.name}: a member of its ${kind.toUpperCase()} holds a comma or a quote, which the binlog reader misreads`,
        );
      else if (new Set(v.members).size !== v.members.length)
        inexact.push(`column ${c.name}: its ${kind.toUpperCase()} lists a member twice`);
    }
    if (kind === 'year' && /^year\(2\)/i.test(c.columnType))
      inexact.push(`column ${c.name}: YEAR(2) shows two digits where the binlog has the year`);
    if ((kind === 'text' || kind === 'char') && !decoderFor(c.charset ?? 'binary'))
      inexact.push(`column ${c.name}: the binlog reader cannot decode character set ${c.charset}`);
    columns.push(v);
  }
  return { columns, inexact };
}

function isKind(k: string): k is Kind {
  return !k.includes(' ');
}
