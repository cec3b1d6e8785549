/**
 * Path inputs, checked when the settings are built: before anything connects, so a path that cannot
 * work is bad input (exit 2) named by its input, never a raw ENOENT after preflight.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../model/errors.js';

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** A file the run reads (a CA certificate, say): it exists, is a file, and can be read. */
export function checkReadableFile(input: string, path: string, what: string): void {
  let st: Stats | undefined;
  try {
    st = stat(path);
  } catch (e) {
    throw new InputError(input, `${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (!st) throw new InputError(input, `${path} does not exist; give the path of ${what}`);
  if (st.isDirectory()) throw new InputError(input, `${path} is a directory; give the path of ${what}`);
  if (!can(path, constants.R_OK)) throw new InputError(input, `${path} cannot be read (permission denied)`);
}

/**
 * The directory a file will be created in (`writable`: by the run; else by the user, as a pause file
 * is) exists, and the run may create files there.
 */
export function checkDirectoryFor(input: string, path: string, opts: { writable: boolean }): void {
  const dir = dirname(resolve(path));
  const lead = opts.writable ? `cannot create ${path}` : `${path} can never be created`;
  const st = stat(dir);
  if (!st) throw new InputError(input, `${lead}: the directory ${dir} does not exist`);
  if (!st.isDirectory()) throw new InputError(input, `${lead}: ${dir} is not a directory`);
  if (opts.writable && !can(dir, constants.W_OK | constants.X_OK)) {
    throw new InputError(input, `${lead}: the directory ${dir} is not writable by this user`);
  }
}

/** A file the run creates and never overwrites (the journal): its directory is writable, the file absent. */
export function checkNewFile(input: string, path: string, exists: string): void {
  checkDirectoryFor(input, path, { writable: true });
  const st = stat(path);
  if (st?.isDirectory()) throw new InputError(input, `${path} is a directory; give a file path`);
  if (st) throw new InputError(input, `${path} already exists: ${exists}`);
}

/** The working directory, where a file goes when its input is not given, is writable. */
export function checkWorkingDirectory(input: string, what: string): void {
  const dir = process.cwd();
  if (!can(dir, constants.W_OK | constants.X_OK)) {
    throw new InputError(
      input,
      `is not given, and the working directory ${dir} (where ${what} goes by default) is not writable; give a path`,
    );
  }
}
