/**
 * Reads an option file and everything it includes, in the order the clients read them, into one
 * list of options (the grammar is option-file.ts). The clients' rules for includes, and where we
 * are stricter (each a refusal naming the file and line, where the clients warn or say nothing):
 *
 * - `!include FILE` reads FILE there and then; `!includedir DIR` reads DIR's files whose names end
 *   in `.cnf` (case matters; hidden ones too, other names never: MariaDB's `.ini` is Windows only),
 *   in byte order of their names. A relative path is taken from the current directory, as the
 *   clients take it (not from the including file's folder).
 * - An included file starts with no group: an option before its own `[group]` line is refused (the
 *   clients refuse it as well, then skip the rest of that file and go on: we stop). After it, the
 *   including file goes on in its own group.
 * - A missing FILE: MySQL's clients warn, MariaDB's say nothing, both go on; we refuse. A missing
 *   DIR: the clients stop; so do we.
 * - The clients follow includes 10 levels deep and skip deeper ones with a warning, so a file that
 *   includes itself is read 11 times; we refuse a cycle and anything deeper than 10 levels.
 * - A file that every user may write is ignored by the clients (with a warning); we refuse it.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { OptionFileError, parseOptionText } from './option-file.js';

export interface ReadOption {
  file: string;
  line: number;
  group: string;
  name: string;
  /** undefined: the option was given with no `=` at all. */
  value?: string;
}

export interface ReadOptions {
  /** Every option of every group, in reading order (a later one of a name wins). */
  options: ReadOption[];
  /** The group names seen, in lower case, each with where it is first seen. */
  groups: Map<string, { file: string; line: number; group: string }>;
}

/** How deep the clients follow `!include` / `!includedir`. */
export const MAX_INCLUDE_DEPTH = 10;

interface Via {
  /** the including file, its line, and the path as written there */
  file: string;
  line: number;
  directive: 'include' | 'includedir';
  written: string;
}

interface Walk {
  out: ReadOptions;
  /** real paths of the files being read, outermost first */
  chain: string[];
  /** where a relative include path is taken from */
  cwd: string;
}

function viaText(via: Via | undefined): string {
  if (!via) return '';
  const rel = isAbsolute(via.written)
    ? ''
    : '; the clients take a relative path from the current directory, not from the file that names it';
  return ` (named by !${via.directive} ${via.written} in ${via.file} line ${via.line}${rel})`;
}

function fileProblem(file: string, e: unknown, via: Via | undefined): OptionFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES'
        ? 'cannot be read (permission denied)'
        : code === 'EISDIR'
          ? 'is a directory, not an option file'
          : `cannot be read: ${code ?? (e as Error).message}`;
  return new OptionFileError(file, undefined, reason + viaText(via), code);
}

function statOf(path: string, via: Via | undefined): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw fileProblem(path, e, via);
  }
}

function readOne(file: string, walk: Walk, via: Via | undefined): void {
  const st = statOf(file, via);
  if (st.isDirectory()) throw fileProblem(file, { code: 'EISDIR' }, via);
  if (st.mode & 0o002) {
    throw new OptionFileError(
      file,
      undefined,
      'is writable by every user, and the MySQL and MariaDB clients ignore such a file: chmod o-w it' +
        viaText(via),
    );
  }
  let bytes: string;
  try {
    bytes = readFileSync(file).toString('latin1');
  } catch (e) {
    throw fileProblem(file, e, via);
  }
  readBytes(file, realpathSync(file), bytes, walk, via);
}

function readBytes(file: string, real: string, bytes: string, walk: Walk, via: Via | undefined): void {
  if (bytes.includes('\u0000'))
    throw new OptionFileError(file, undefined, 'is not a text option file' + viaText(via));
  if (walk.chain.includes(real)) {
    throw new OptionFileError(
      via?.file ?? file,
      via?.line,
      `!${via?.directive ?? 'include'} ${via?.written ?? file} reads ${file} again, which is already being read: an include cycle`,
    );
  }
  if (walk.chain.length > MAX_INCLUDE_DEPTH) {
    throw new OptionFileError(
      via?.file ?? file,
      via?.line,
      `includes nest deeper than the ${MAX_INCLUDE_DEPTH} levels the clients read`,
    );
  }
  walk.chain.push(real);
  try {
    readItems(file, bytes, walk, via);
  } finally {
    walk.chain.pop();
  }
}

function readItems(file: string, bytes: string, walk: Walk, via: Via | undefined): void {
  let items;
  try {
    items = parseOptionText(bytes, file);
  } catch (e) {
    if (e instanceof OptionFileError) throw new OptionFileError(e.file, e.line, e.reason + viaText(via));
    throw e;
  }
  for (const item of items) {
    if (item.kind === 'group') {
      const key = item.group.toLowerCase();
      if (!walk.out.groups.has(key)) walk.out.groups.set(key, { file, line: item.line, group: item.group });
    } else if (item.kind === 'option') {
      walk.out.options.push({ file, line: item.line, group: item.group, name: item.name, value: item.value });
    } else {
      const next: Via = { file, line: item.line, directive: item.kind, written: item.path };
      const target = resolve(walk.cwd, item.path);
      if (item.kind === 'include') readOne(target, walk, next);
      else readDir(target, walk, next);
    }
  }
}

/** Byte order of UTF-8 names, as the clients sort a folder. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function readDir(dir: string, walk: Walk, via: Via): void {
  if (!statOf(dir, via).isDirectory()) {
    throw new OptionFileError(dir, undefined, 'is not a directory' + viaText(via));
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw fileProblem(dir, e, via);
  }
  for (const name of names.filter((n) => n.endsWith('.cnf')).sort(byBytes)) {
    const path = join(dir, name);
    // A folder named x.cnf reads as an empty file for the clients.
    if (statOf(path, via).isDirectory()) continue;
    readOne(path, walk, via);
  }
}

/**
 * Every option of `file` and of what it includes. Throws OptionFileError (file, line when there is
 * one, reason; never a value). `file` itself is named in messages as given; `cwd` is where a
 * relative include path is taken from (the process's current directory, as for the clients).
 */
export function readOptionFiles(file: string, cwd = process.cwd()): ReadOptions {
  const walk: Walk = { out: { options: [], groups: new Map() }, chain: [], cwd };
  readOne(file, walk, undefined);
  return walk.out;
}

/** The same for text held in memory, named `source` (its includes are read from disk). */
export function readOptionText(text: string, source: string, cwd = process.cwd()): ReadOptions {
  const walk: Walk = { out: { options: [], groups: new Map() }, chain: [], cwd };
  readBytes(source, resolve(source), Buffer.from(text, 'utf8').toString('latin1'), walk, undefined);
  return walk.out;
}
