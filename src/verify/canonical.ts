/**
 * The canonical form of a row, the same whichever side it comes from: the binlog (the values the binlog
 * reader, zongji, decodes from a row event) or the table (the bytes the server sends for a SELECT of
 * every column, with `character_set_results = NULL`, `time_zone = '+00:00'`). Each value becomes a
 * string; two rows are equal exactly when their canonical forms are. Pure.
 *
 * Where the two sides hand over different things for the same stored value, both are mapped to one:
 * FLOAT and DOUBLE to the shortest text of the double (the table reads them as `col + 0e0`, exact);
 * ENUM and SET to their number (the table reads `col + 0`); YEAR 0000 (which the reader decodes as
 * 1900) to 0; character data to the decoded text (the table's bytes decoded as the reader decodes
 * them); CHAR without trailing spaces and BINARY without trailing zero bytes (padding); MySQL JSON
 * parsed and written again with sorted keys, numbers by value; geometry to its coordinates and nesting
 * (the reader drops the SRID and the geometry's type); INET4, INET6 and UUID to their bytes.
 */
import iconv from 'iconv-lite';
import { decoderFor, type ValueColumn } from './columns.js';

/** A value the canonical form cannot take: the table is then compared by count only. */
export class NotComparable extends Error {}

export type Canon = string | null;

const fail = (c: ValueColumn, what: string): never => {
  throw new NotComparable(`column ${c.name}: ${what}`);
};

/** A double as text: the shortest that reads back as the same double; -0 is 0. */
export function doubleText(d: number): string {
  return d === 0 ? '0' : String(d);
}

/** A decimal's text without leading zeros; -0.00 is 0.00. */
export function decimalText(s: string): string {
  // The usual case, as both sides send it: no sign or leading zero to take away.
  if (/^[1-9]/.test(s) || /^0(\.|$)/.test(s)) return s;
  const m = /^([+-]?)0*(\d+)(\.\d*)?$/.exec(s.trim());
  if (!m) return s;
  const body = m[2]!.replace(/^0+(?=\d)/, '') + (m[3] ?? '');
  return m[1] === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Character data as the reader decodes it: the column's bytes in its character set. */
export function decodeText(b: Buffer, charset: string | null): string {
  return textDecoder(charset)(b);
}

function textDecoder(charset: string | null): (b: Buffer) => string {
  const name = charset ? decoderFor(charset) : 'utf8';
  if (!name || name === 'utf8') return (b) => b.toString('utf8');
  return (b) => iconv.decode(b, name, { stripBOM: false });
}

const latin1 = (b: Buffer) => b.toString('latin1');

function trimZeros(b: Buffer, leading: boolean): Buffer {
  let i = 0;
  let j = b.length;
  if (leading) while (i < j && b[i] === 0) i++;
  else while (j > i && b[j - 1] === 0) j--;
  return b.subarray(i, j);
}

function intText(s: string): string {
  return /^-?0\d/.test(s) ? BigInt(s).toString() : s;
}

/** Members by name (and by nothing, for ENUM's error value) to their number. */
function memberNumbers(c: ValueColumn): Map<string, number> {
  return new Map((c.members ?? []).map((m, i) => [m, i + 1]));
}

function setBits(c: ValueColumn, members: Map<string, number>, v: string): string {
  if (v === '') return '0';
  let bits = 0n;
  for (const m of v.split(',')) {
    const n = members.get(m) ?? fail(c, `SET member ${JSON.stringify(m)} is not in its definition`);
    bits |= 1n << BigInt(n - 1);
  }
  return bits.toString();
}

function fixedBytes(
  c: ValueColumn,
  v: unknown,
  width: number,
  parse: (s: string) => Buffer | undefined,
): string {
  if (Buffer.isBuffer(v)) {
    const out = Buffer.alloc(width);
    v.copy(out);
    return out.toString('hex');
  }
  if (typeof v !== 'string') return fail(c, `the binlog reader handed over ${typeof v}`);
  return (parse(v) ?? fail(c, `cannot read ${c.kind.toUpperCase()} text`)).toString('hex');
}

type FromBinlog = (v: unknown) => Canon;
type FromTable = (b: Buffer) => Canon;

/** Per kind: the value the binlog reader hands over, and the bytes the table sends, to one string. */
function converters(c: ValueColumn): [FromBinlog, FromTable] {
  const str = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : fail(c, `the binlog reader handed over ${Buffer.isBuffer(v) ? 'bytes' : typeof v}`);
  const decode = textDecoder(c.charset);
  const text = (v: unknown): string => (Buffer.isBuffer(v) ? decode(v) : str(v));
  const bytes = (v: unknown): Buffer =>
    Buffer.isBuffer(v) ? v : fail(c, `the binlog reader handed over ${typeof v}`);
  switch (c.kind) {
    case 'int':
      return [
        (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : intText(str(v))),
        (b) => intText(latin1(b)),
      ];
    case 'decimal':
      return [(v) => decimalText(str(v)), (b) => decimalText(latin1(b))];
    case 'float':
      return [
        (v) => (typeof v === 'number' ? doubleText(v) : fail(c, `the binlog reader handed over ${typeof v}`)),
        (b) => doubleText(Number(latin1(b))),
      ];
    case 'bit':
      return [(v) => latin1(trimZeros(bytes(v), true)), (b) => latin1(trimZeros(b, true))];
    case 'year':
      return [
        (v) =>
          v === 1900
            ? '0'
            : typeof v === 'number'
              ? String(v)
              : fail(c, `the binlog reader handed over ${typeof v}`),
        (b) => String(Number(latin1(b))),
      ];
    case 'temporal':
      return [str, latin1];
    case 'timestamp':
      return [(v) => unwrappedTimestamp(str(v)), latin1];
    case 'text':
      return [text, decode];
    case 'char':
      return [(v) => text(v).replace(/ +$/, ''), (b) => decode(b).replace(/ +$/, '')];
    case 'binary':
      return [(v) => latin1(trimZeros(bytes(v), false)), (b) => latin1(trimZeros(b, false))];
    case 'bytes':
      return [(v) => latin1(bytes(v)), latin1];
    case 'json':
      return [(v) => canonicalJson(str(v)), (b) => canonicalJson(b.toString('utf8'))];
    case 'geometry':
      return [(v) => readerGeometry(c, v), (b) => wkbGeometry(c, b)];
    default:
      return specialConverters(c);
  }
}

function specialConverters(c: ValueColumn): [FromBinlog, FromTable] {
  switch (c.kind) {
    case 'enum': {
      const members = memberNumbers(c);
      return [
        (v) =>
          v === undefined
            ? '0'
            : String(
                members.get(typeof v === 'string' ? v : String(v)) ??
                  fail(c, `ENUM value ${JSON.stringify(v)} is not in its definition`),
              ),
        (b) => latin1(b),
      ];
    }
    case 'set': {
      const members = memberNumbers(c);
      return [
        (v) =>
          typeof v === 'string'
            ? setBits(c, members, v)
            : fail(c, `the binlog reader handed over ${typeof v}`),
        (b) => latin1(b),
      ];
    }
    case 'inet4':
      return [(v) => fixedBytes(c, v, 4, inet4Bytes), (b) => fixedBytes(c, latin1(b), 4, inet4Bytes)];
    case 'inet6':
      return [(v) => fixedBytes(c, v, 16, inet6Bytes), (b) => fixedBytes(c, latin1(b), 16, inet6Bytes)];
    case 'uuid':
      return [(v) => fixedBytes(c, v, 16, uuidBytes), (b) => fixedBytes(c, latin1(b), 16, uuidBytes)];
    default:
      return fail(c, `no canonical form for ${c.kind}`);
  }
}

export interface RowCanon {
  /** A row as the binlog reader decodes it (an object by column name). */
  fromBinlog(row: Record<string, unknown>): Canon[];
  /** A row of the table's SELECT, one value per column in table order (NULL as null). */
  fromTable(row: (Buffer | null)[]): Canon[];
}

export function rowCanon(columns: ValueColumn[]): RowCanon {
  const conv = columns.map(converters);
  const names = columns.map((c) => c.name);
  return {
    fromBinlog(row) {
      const out: Canon[] = new Array(names.length);
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (!(name in row)) throw new NotComparable(`the binlog's rows have no column ${name}`);
        const v = row[name];
        out[i] = v === null ? null : conv[i]![0](v);
      }
      return out;
    },
    fromTable(row) {
      if (row.length !== names.length) throw new NotComparable(`the table sent ${row.length} columns`);
      const out: Canon[] = new Array(names.length);
      for (let i = 0; i < names.length; i++) {
        const v = row[i];
        out[i] = v === null || v === undefined ? null : conv[i]![1](v);
      }
      return out;
    },
  };
}

/**
 * The row as one string: each value length-prefixed (NULL distinct from every string). `only`: these
 * positions alone (a key).
 */
export function rowText(values: Canon[], only?: number[]): string {
  let s = '';
  const n = only ? only.length : values.length;
  for (let i = 0; i < n; i++) {
    const v = values[only ? only[i]! : i]!;
    s += v === null ? '\u0000' : `${v.length}:${v}`;
  }
  return s;
}

/* INET4, INET6, UUID */

export function inet4Bytes(s: string): Buffer | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return Buffer.from(parts.map(Number));
}

export function inet6Bytes(text: string): Buffer | undefined {
  let s = text.trim().toLowerCase();
  let tail: Buffer | undefined;
  if (s.includes('.')) {
    const cut = s.lastIndexOf(':');
    tail = inet4Bytes(s.slice(cut + 1));
    if (!tail) return undefined;
    s = `${s.slice(0, cut + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...head, ...Array<string>(fill).fill('0'), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail) tail.copy(out, 12);
  return out;
}

export function uuidBytes(s: string): Buffer | undefined {
  const hex = s.trim().replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/* Geometry */

/** The reader's decoding of a geometry (points as {x, y}, everything else as nested arrays). */
export function readerGeometry(c: ValueColumn, v: unknown): string {
  if (v === null) return 'N';
  if (Array.isArray(v)) return `[${v.map((x) => readerGeometry(c, x)).join(',')}]`;
  const p = v as { x?: unknown; y?: unknown };
  if (typeof v === 'object' && typeof p.x === 'number' && typeof p.y === 'number')
    return `P${doubleText(p.x)} ${doubleText(p.y)}`;
  return fail(c, 'the binlog reader handed over a geometry it could not decode');
}

/** The table's geometry (4 bytes of SRID, then WKB) in the same form as `readerGeometry`. */
export function wkbGeometry(c: ValueColumn, b: Buffer): string {
  let at = 4;
  const walk = (): string => {
    if (at + 5 > b.length) return fail(c, 'a geometry value ends early');
    const le = b[at] === 1;
    const u32 = () => {
      const v = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
      at += 4;
      return v;
    };
    const f64 = () => {
      const v = le ? b.readDoubleLE(at) : b.readDoubleBE(at);
      at += 8;
      return v;
    };
    const point = () => `P${doubleText(f64())} ${doubleText(f64())}`;
    const points = () => `[${Array.from({ length: u32() }, point).join(',')}]`;
    at += 1;
    const type = u32();
    if (type === 1) return point();
    if (type === 2) return points();
    if (type === 3) return `[${Array.from({ length: u32() }, points).join(',')}]`;
    if (type >= 4 && type <= 7) return `[${Array.from({ length: u32() }, walk).join(',')}]`;
    return fail(c, `geometry type ${type} is not compared`);
  };
  return walk();
}

/* MySQL JSON */

const SAFE = 2 ** 53;

/**
 * A JSON number by value: integers exactly; a double that is an integer as that integer (MySQL writes
 * 100.0 where the reader writes 100, 1e300 where it writes 1e+300); other doubles as their shortest text.
 */
export function jsonNumber(lit: string): string {
  if (/^-?\d+$/.test(lit)) {
    const v = BigInt(lit);
    if (v <= SAFE && v >= -SAFE) return v.toString();
    // Beyond 2^53 the reader writes a double as all its digits: read it back as that double.
    const d = Number(lit);
    return String(d) === lit ? BigInt(d).toString() : v.toString();
  }
  const d = Number(lit);
  if (!Number.isFinite(d)) return lit;
  return Number.isInteger(d) ? BigInt(d).toString() : doubleText(d);
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * JSON text written again: keys sorted, no white space, numbers by value (`jsonNumber`). A string that
 * holds a decimal number counts as that number: the reader hands a DECIMAL inside MySQL JSON over as a
 * string, where the server's text has a number.
 */
export function canonicalJson(text: string): string {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const bad = (): never => {
    throw new NotComparable(`JSON text cannot be read at offset ${i}`);
  };
  const strToken = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) bad();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): string => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const members: [string, string][] = [];
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') bad();
          const k = strToken();
          ws();
          if (text[i++] !== ':') bad();
          members.push([k, value()]);
          ws();
          const sep = text[i++];
          if (sep === '}') break;
          if (sep !== ',') bad();
        }
      members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    }
    if (ch === '[') {
      i++;
      const items: string[] = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          items.push(value());
          ws();
          const sep = text[i++];
          if (sep === ']') break;
          if (sep !== ',') bad();
        }
      return `[${items.join(',')}]`;
    }
    if (ch === '"') {
      const s = strToken();
      return DECIMAL_TEXT.test(s) ? jsonNumber(s) : JSON.stringify(s);
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return bad();
    i += m[0].length;
    return /^[tfn]/.test(m[0]) ? m[0] : jsonNumber(m[0]);
  };
  const out = value();
  ws();
  if (i !== text.length) bad();
  return out;
}

/**
 * zongji 0.9 reads a TIMESTAMP's seconds as a signed 32-bit number, so a value past 2038-01-19
 * (MariaDB 11.5+ stores them up to 2106) comes back 2^32 seconds early, before 1970, where no
 * TIMESTAMP can be. Such a value is put back where it was (the reader's strings are UTC).
 */
export function unwrappedTimestamp(s: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?$/.exec(s);
  // Wrapped values fall between 1901-12-13 and 1969-12-31; the zero TIMESTAMP (0000-00-00) is not one.
  if (!m || Number(m[1]) < 1901 || Number(m[1]) >= 1970) return s;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) + 2 ** 32 * 1000;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + (m[7] ?? '');
}
