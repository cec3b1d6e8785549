/**
 * The grammar of a MySQL / MariaDB option file, one file's text at a time, as the servers' own
 * reader (`my_print_defaults`, mysys) reads it. Pure: no file system; `!include` and `!includedir`
 * come back as directives for the caller to follow (option-reader.ts).
 *
 * The clients read bytes, so the text is taken as latin1 (one char per byte) and every name, value
 * and path is turned into UTF-8 at the end, the way a client hands the bytes to the server.
 *
 * - A line is cut at `\n` only (`\r` is a space). Leading spaces are skipped; a line that is empty
 *   or starts with `#` or `;` is a comment. Spaces are the clients' (latin1): tab, LF, VT, FF, CR,
 *   space and 0xA0.
 * - `[name]`: a group. The name ends at the first `]`, trailing spaces dropped, the rest of the line
 *   ignored. Group names are compared without case by the readers (the caller does that).
 * - `!include PATH`, `!includedir PATH`: the path is the rest of the line, spaces around it dropped.
 * - Otherwise an option of the current group: `#` outside quotes starts a comment anywhere (a quote
 *   opens at any `'` or `"` of the line, and inside quotes `\` protects the next quote); `;` is a
 *   comment only at a line's start. `name` alone, or `name = value` (spaces around both dropped);
 *   a value whose first and last chars are the same quote loses them; then `\n \t \r \b \s \" \' \\`
 *   are escapes (`\s` a space); any other `\x` and a final `\` stay as written.
 *
 * Where the readers disagree or read a line no user means, this parser refuses it (see
 * OptionFileError's callers): never a silent reading.
 */

/**
 * What the readers refuse, or we refuse: the file, the 1-based line (none for a problem of the whole
 * file: then the reason reads on from the file's name), and why. Never a value.
 */
export class OptionFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    /** The system's error code, for a file that could not be read. */
    readonly code?: string,
  ) {
    super(line === undefined ? `${file} ${reason}` : `${file} line ${line}: ${reason}`);
    this.name = 'OptionFileError';
  }
}

export type OptionItem =
  | { kind: 'group'; line: number; group: string }
  | { kind: 'option'; line: number; group: string; name: string; value?: string }
  | { kind: 'include' | 'includedir'; line: number; path: string };

/** MariaDB's clients cut a longer line in two (MySQL's read it whole): we refuse it. */
export const MAX_LINE_BYTES = 4094;

const SPACES = '\t\n\v\f\r \u00a0';
const isSpace = (c: string | undefined): boolean => c !== undefined && c !== '' && SPACES.includes(c);

function trimStart(s: string): string {
  let i = 0;
  while (isSpace(s[i])) i++;
  return s.slice(i);
}

function trimEnd(s: string): string {
  let i = s.length;
  while (i > 0 && isSpace(s[i - 1])) i--;
  return s.slice(0, i);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** latin1 chars (bytes) to text; undefined when the bytes are not UTF-8. */
function utf8(bytes: string): string | undefined {
  try {
    return UTF8.decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Where an end-of-line `#` comment starts (the line's length when there is none). */
export function commentStart(line: string): number {
  let quote = '';
  let escape = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c === "'" || c === '"') && !escape) {
      if (!quote) quote = c;
      else if (quote === c) quote = '';
    }
    if (!quote && c === '#') return i;
    escape = quote !== '' && c === '\\' && !escape;
  }
  return line.length;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  s: ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** A value as the readers store it: spaces trimmed, one pair of matching quotes dropped, escapes. */
export function optionValue(raw: string): string {
  let v = trimEnd(trimStart(raw));
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[0] === v[v.length - 1]) v = v.slice(1, -1);
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\' && i !== v.length - 1) {
      const e = v.charAt(++i);
      out += ESCAPES[e] ?? `\\${e}`;
    } else out += v[i];
  }
  return out;
}

interface LineState {
  file: string;
  line: number;
  group: string | undefined;
}

function directive(rest: string, st: LineState): OptionItem {
  const body = trimStart(rest.slice(1));
  const kind = (['includedir', 'include'] as const).find(
    (k) => body.startsWith(k) && (body.length === k.length || isSpace(body[k.length])),
  );
  if (!kind) {
    throw new OptionFileError(
      st.file,
      st.line,
      'not a directive the clients know (they know !include FILE and !includedir DIR, in lower case)',
    );
  }
  const arg = trimEnd(trimStart(body.slice(kind.length)));
  if (arg === '') throw new OptionFileError(st.file, st.line, `!${kind} has no path after it`);
  if (arg.includes('#')) {
    throw new OptionFileError(
      st.file,
      st.line,
      `the path of !${kind} holds a "#": MySQL's clients cut the path there, MariaDB's do not; name a path without one`,
    );
  }
  const path = utf8(arg);
  if (path === undefined) throw new OptionFileError(st.file, st.line, `the path of !${kind} is not UTF-8`);
  return { kind, line: st.line, path };
}

function groupLine(rest: string, st: LineState): OptionItem {
  const close = rest.indexOf(']');
  if (close < 0) throw new OptionFileError(st.file, st.line, 'a [group] line without its "]"');
  const raw = trimEnd(rest.slice(1, close));
  if (raw !== trimStart(raw)) {
    throw new OptionFileError(
      st.file,
      st.line,
      'a group name that starts with a space: the clients keep the space, so [ client] is not [client]; remove it',
    );
  }
  const group = utf8(raw);
  if (group === undefined) throw new OptionFileError(st.file, st.line, 'a group name that is not UTF-8');
  return { kind: 'group', line: st.line, group };
}

function optionLine(rest: string, st: LineState): OptionItem {
  if (st.group === undefined) {
    throw new OptionFileError(
      st.file,
      st.line,
      'an option before any [group] line (the clients refuse it too)',
    );
  }
  const text = rest.slice(0, commentStart(rest));
  if (utf8(text) === undefined) {
    throw new OptionFileError(
      st.file,
      st.line,
      'the line is not UTF-8 text (the clients would pass its bytes on as they are)',
    );
  }
  const eq = text.indexOf('=');
  const rawName = trimEnd(eq < 0 ? text : text.slice(0, eq));
  if (rawName === '')
    throw new OptionFileError(st.file, st.line, 'a value with no option name before its "="');
  const name = utf8(rawName);
  if (name === undefined) throw new OptionFileError(st.file, st.line, 'an option name that is not UTF-8');
  if (eq < 0) return { kind: 'option', line: st.line, group: st.group, name };
  const value = utf8(optionValue(text.slice(eq + 1)));
  if (value === undefined) {
    throw new OptionFileError(
      st.file,
      st.line,
      `the value of ${name} is not UTF-8 once the clients have read it ` +
        '(they strip a byte 0xA0 at its end as a space, which cuts a character such as "à" or a no-break space in half)',
    );
  }
  return { kind: 'option', line: st.line, group: st.group, name, value };
}

/**
 * The items of one file's text, in order. `bytes` is the file's content as latin1 (see above);
 * `file` names it in errors. Throws OptionFileError on a line the readers refuse or read wrong.
 */
export function parseOptionText(bytes: string, file: string): OptionItem[] {
  if (bytes.startsWith('\u00ef\u00bb\u00bf')) {
    throw new OptionFileError(
      file,
      1,
      'the file starts with a UTF-8 byte-order mark, which the clients read as an option before any group; save it without one',
    );
  }
  const items: OptionItem[] = [];
  const lines = bytes.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const st: LineState = { file, line: 0, group: undefined };
  for (const raw of lines) {
    st.line++;
    if (raw.length > MAX_LINE_BYTES) {
      throw new OptionFileError(
        file,
        st.line,
        `a line longer than ${MAX_LINE_BYTES} bytes (MariaDB's clients cut it in two); shorten it`,
      );
    }
    const rest = trimStart(raw);
    if (rest === '' || rest[0] === '#' || rest[0] === ';') continue;
    if (rest[0] === '!') items.push(directive(rest, st));
    else if (rest[0] === '[') {
      const g = groupLine(rest, st);
      if (g.kind === 'group') st.group = g.group;
      items.push(g);
    } else items.push(optionLine(rest, st));
  }
  return items;
}
