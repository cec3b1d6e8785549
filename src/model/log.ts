/**
 * Logging with secrets redacted at the sink. A secret is first kept out of every string we build
 * (no message, journal, manifest, summary or state is made from a password; the password never goes
 * into SQL text, so no server error can quote it); masking here is the last line of defence, and it
 * masks a secret only where it stands as a whole token, so that it never rewrites an ordinary word.
 *
 * The rule (`secretPattern`):
 * - A token is a run of letters, digits, `_` and `$`; `.`, `-` and `/` between two such characters
 *   join them into one token (`app.books`, `db-app`, `/var/app/run.hashfile`). A secret is masked where
 *   no token character continues it on either side. With the password `books`: `password=books`,
 *   `'books'`, `u:books@host`, `-pbooks`, `books.` ending a sentence are masked; `bookshelf`,
 *   `books.t1`, `bf_books` are not. A side of the secret that is not a token character (`x!`) needs
 *   no boundary there.
 * - A secret of 1 to 3 characters is also an ordinary word or number (`a`, `on`, `1`, `app`): it is
 *   masked only where a password is written: after `password`, `passwd` or `pwd` and `=` or `:`
 *   (`MYSQL_PWD=a`, `"password": "a"`), after `-p`, between `:` and `@` (a URL's or DSN's user info),
 *   or alone in single quotes (`'a'`, as SQL and the servers' errors quote a value). Not in double
 *   quotes: a JSON string such as `"schema": "app"` is a name. With the password `app`,
 *   `Replica applier`, `app.books`, `--db app` and `"app"` stay.
 * - A password of 4 or more characters equal to a name the run prints (a schema, a table, the user)
 *   is masked where that name stands alone, which shows where it stands; a qualified name
 *   (`books.t1`) is one token and stays. Choose a password that is no such name.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** A titled block of lines (a phase); the action maps it to a log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** A secret shorter than this is masked only where a password is written (see the rule above). */
export const SHORT_SECRET_LENGTH = 4;

/** Each secret with the pattern that finds it where it is to be masked. */
const secrets = new Map<string, RegExp>();

const TOKEN = String.raw`[\p{L}\p{N}_$]`;
const JOIN = String.raw`[./-]`;
const KEY = String.raw`(?:[pP][aA][sS][sS](?:[wW](?:[oO][rR])?[dD])?|[pP][wW][dD])['"]?\s*[=:]\s*['"]?`;
/** The MySQL client's `-pSECRET`, as a word of its own. */
const DASH_P = String.raw`(?:^|[\s'"])-p`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The regular expression that finds `secret` where the rule masks it. */
export function secretPattern(secret: string): RegExp {
  const tokenChar = new RegExp(`^${TOKEN}$`, 'u');
  const chars = [...secret];
  const before = tokenChar.test(chars[0] ?? '') ? `(?:(?<!${TOKEN})(?<!${TOKEN}${JOIN})|(?<=${DASH_P}))` : '';
  const after = tokenChar.test(chars[chars.length - 1] ?? '') ? `(?!${TOKEN})(?!${JOIN}${TOKEN})` : '';
  const body = escapeRegExp(secret);
  if (chars.length >= SHORT_SECRET_LENGTH) return new RegExp(`${before}${body}${after}`, 'gu');
  const placed = [`(?<=${KEY})${body}`, `(?<=${DASH_P})${body}`, `(?<=:)${body}(?=@)`, `(?<=')${body}(?=')`];
  return new RegExp(`${before}(?:${placed.join('|')})${after}`, 'gu');
}

/** Register a value that must never be printed (passwords, tokens). Only an empty value is ignored. */
export function addSecret(value: string | undefined): void {
  if (value && !secrets.has(value)) secrets.set(value, secretPattern(value));
}

/** Replace every registered secret where the rule masks it with `***` (overlapping finds merged). */
export function redact(text: string): string {
  const spans: [number, number][] = [];
  for (const re of secrets.values()) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) spans.push([m.index, m.index + m[0].length]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    out += text.slice(at, Math.max(at, start)) + '***';
    at = end;
  }
  return out + text.slice(at);
}

export interface StreamLoggerOptions {
  verbose?: boolean;
  /** Write everything to stderr (keeps stdout clean for --json). */
  allToStderr?: boolean;
}

export function streamLogger(opts: StreamLoggerOptions = {}): Logger {
  const out = (line: string) =>
    (opts.allToStderr ? process.stderr : process.stdout).write(redact(line) + '\n');
  const err = (line: string) => process.stderr.write(redact(line) + '\n');
  return {
    debug: (m) => {
      if (opts.verbose) out(`debug: ${m}`);
    },
    info: (m) => out(m),
    warn: (m) => err(`warning: ${m}`),
    error: (m) => err(`error: ${m}`),
    group: async (title, fn) => {
      out(`== ${title}`);
      return fn();
    },
  };
}

/** A logger that keeps lines in memory (tests, summaries). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(redact(`debug: ${m}`)),
    info: (m) => lines.push(redact(m)),
    warn: (m) => lines.push(redact(`warning: ${m}`)),
    error: (m) => lines.push(redact(`error: ${m}`)),
    group: async (title, fn) => {
      lines.push(`== ${title}`);
      return fn();
    },
  };
}
