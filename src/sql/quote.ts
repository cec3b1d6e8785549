/**
 * The one place where identifiers and literals become SQL text.
 * Every other module builds SQL through these functions.
 */

/** Identifiers the server accepts but we refuse to handle: NUL cannot be quoted. */
export function assertQuotableIdentifier(name: string, what = 'identifier'): void {
  if (name.length === 0) throw new Error(`empty ${what}`);
  if (name.includes('\u0000')) throw new Error(`${what} contains a NUL character`);
}

/** `name` with backticks doubled, inside backticks. */
export function quoteIdent(name: string): string {
  assertQuotableIdentifier(name);
  return '`' + name.replaceAll('`', '``') + '`';
}

/** `schema`.`table` */
export function qualify(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** A string literal safe under any sql_mode (NO_BACKSLASH_ESCAPES or not). */
export function quoteString(value: string): string {
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case "'":
        out += "''";
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\u0000':
        out += '\\0';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\u001a':
        out += '\\Z';
        break;
      default:
        out += ch;
    }
  }
  return out + "'";
}
