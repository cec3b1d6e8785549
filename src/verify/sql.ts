/** SQL text `verify` sends: pure builders; identifiers quoted only through sql/quote. */
import { qualify, quoteIdent } from '../sql/quote.js';
import type { ValueColumn } from './columns.js';

/**
 * How the session that reads tables for `verify` reads them: TIMESTAMP in UTC (the binlog holds UTC
 * seconds), every value in its column's own bytes (no conversion to the connection's character set),
 * no sql_mode that pads CHAR, and room for a slow reader of a long result.
 */
export const READ_SESSION =
  "SET SESSION time_zone = '+00:00', SESSION character_set_results = NULL, SESSION sql_mode = '', SESSION net_write_timeout = 600";

function expression(c: ValueColumn): string {
  const q = quoteIdent(c.name);
  if (c.expression === 'number') return `${q} + 0`;
  if (c.expression === 'double') return `${q} + 0e0`;
  return q;
}

/** Every column of the table, invisible and generated ones included, in table order. */
export function selectEveryColumn(schema: string, table: string, columns: ValueColumn[]): string {
  return `SELECT ${columns.map(expression).join(', ')} FROM ${qualify(schema, table)}`;
}
