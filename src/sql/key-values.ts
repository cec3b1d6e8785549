/**
 * Key values through the client and back (see model/copy.ts Carrier): the expression that reads a
 * key column as text, and the SQL literal that brings that text back as the same value. Pure. The
 * text is checked against its carrier's form before it becomes SQL, wherever it came from (a walk, or
 * a journal read back for a resume).
 */
import type { Carrier, KeyValue } from '../model/copy.js';
import { quoteIdent, quoteString } from './quote.js';

/** How the server reads one key column as the carrier's text. */
export function carriedExpr(column: string, c: Carrier): string {
  const col = quoteIdent(column);
  switch (c.kind) {
    case 'bytes':
    case 'text':
      return `HEX(${col})`;
    case 'ordinal':
      return `CAST(${col} + 0 AS CHAR)`;
    case 'number':
    case 'temporal':
    case 'uuid':
      return `CAST(${col} AS CHAR)`;
  }
}

const FORMS: Record<Carrier['kind'], RegExp> = {
  number: /^-?\d+(\.\d+)?$/,
  ordinal: /^\d+$/,
  bytes: /^(?:[0-9A-F]{2})*$/i,
  text: /^(?:[0-9A-F]{2})*$/i,
  temporal: /^-?\d[\d:. -]*$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};
const NAME = /^[A-Za-z0-9_]+$/;

/** The literal that means exactly the value `text` was read from (throws on a text not of its form). */
export function keyLiteral(c: Carrier, text: string): string {
  if (!FORMS[c.kind].test(text)) throw new Error(`not a ${c.kind} key value: ${JSON.stringify(text)}`);
  switch (c.kind) {
    case 'number':
    case 'ordinal':
      return text;
    case 'bytes':
      return `X'${text.toUpperCase()}'`;
    case 'text':
      if (!NAME.test(c.charset) || !NAME.test(c.collation))
        throw new Error(`not a character set and collation: ${c.charset}, ${c.collation}`);
      return `_${c.charset} X'${text.toUpperCase()}' COLLATE ${c.collation}`;
    case 'temporal': {
      const type = c.type === 'DATE' ? 'DATE' : `${c.type}(${Math.trunc(c.fraction)})`;
      return `CAST(${quoteString(text)} AS ${type})`;
    }
    case 'uuid':
      return quoteString(text);
  }
}

/** A whole key value as literals, one per column. */
export function keyLiterals(carriers: Carrier[], value: KeyValue): string[] {
  if (value.length !== carriers.length)
    throw new Error(`a key value of ${value.length} columns for a key of ${carriers.length}`);
  return value.map((v, i) => keyLiteral(carriers[i]!, v));
}
