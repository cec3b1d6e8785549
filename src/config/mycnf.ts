/**
 * The `[client]` options of a MySQL option file (`~/.my.cnf`), read with `ini`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ini';
import { InputError } from '../model/errors.js';

export interface MyCnfClient {
  user?: string;
  password?: string;
  host?: string;
  port?: string;
  socket?: string;
  'ssl-ca'?: string;
  'ssl-cert'?: string;
  'ssl-key'?: string;
  'ssl-mode'?: string;
}

const KEYS: (keyof MyCnfClient)[] = [
  'user',
  'password',
  'host',
  'port',
  'socket',
  'ssl-ca',
  'ssl-cert',
  'ssl-key',
  'ssl-mode',
];
/** Sections the mysql clients read for client options, later ones winning. */
const SECTIONS = ['client', 'client-server', 'client-mariadb', 'mysql'];

export function defaultMyCnfPath(): string {
  return join(homedir(), '.my.cnf');
}

/** Parse option-file text. Pure; `source` is only used in messages. */
export function parseMyCnf(text: string, source: string, input = '--mycnf'): MyCnfClient {
  if (text.includes('\u0000')) throw new InputError(input, `${source} is not a text option file`);
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    throw new InputError(input, `${source} could not be parsed: ${(e as Error).message}`);
  }
  const out: MyCnfClient = {};
  let sawSection = false;
  for (const section of SECTIONS) {
    const raw = doc[section];
    if (raw === undefined) continue;
    if (typeof raw !== 'object' || raw === null) continue;
    sawSection = true;
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const key = k.trim().toLowerCase().replaceAll('_', '-') as keyof MyCnfClient;
      if (!KEYS.includes(key)) continue;
      if (typeof v === 'boolean') continue; // a bare key with no value
      if (typeof v !== 'string')
        throw new InputError(input, `${source}: [${section}] ${k} has an unreadable value`);
      out[key] = unquote(v.trim());
    }
  }
  if (!sawSection) {
    throw new InputError(
      input,
      `${source} has no [client] section; expected for example:\n[client]\nuser=admin\npassword=...`,
    );
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}

/**
 * Read an option file. An explicitly named file must exist; the default `~/.my.cnf` may be absent.
 */
export function readMyCnf(path: string | undefined, input = '--mycnf'): MyCnfClient {
  const explicit = path !== undefined && path !== '';
  const file = explicit ? path : defaultMyCnfPath();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return {};
    if (code === 'ENOENT') throw new InputError(input, `${file} does not exist`);
    if (code === 'EACCES') throw new InputError(input, `${file} cannot be read (permission denied)`);
    if (code === 'EISDIR') throw new InputError(input, `${file} is a directory, not an option file`);
    throw new InputError(input, `${file} cannot be read: ${code ?? (e as Error).message}`);
  }
  return parseMyCnf(text, file, input);
}
