/**
 * Local runs under @github/local-action (LOCAL_ACTION_ARTIFACT_PATH set). Its stand-in for
 * @actions/artifact writes each artifact as `<name>.zip` in that folder, but lists only the artifacts
 * of the same invocation: the journal of an earlier local run (for recover, verify, resume) is read
 * from the folder here. Uploads still go through the stand-in, which would replace a zip of the same
 * name: a flush whose artifact name the folder already holds is refused.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';
import { ExitCode, FlusherError, InputError, errorText } from '../model/errors.js';
import { finalName, type JournalStore } from './artifact.js';

/** The variable @github/local-action reads for its artifact folder. */
export const LOCAL_ARTIFACT_PATH = 'LOCAL_ACTION_ARTIFACT_PATH';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The files of a zip (stored or deflated, no zip64), each checked against its CRC. */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 0xffff); p--) {
    if (buf.readUInt32LE(p) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  const entries: ZipEntry[] = [];
  for (let i = 0, p = buf.readUInt32LE(eocd + 16); i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new Error('damaged central directory');
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (name.endsWith('/')) continue;
    if (size === 0xffffffff || local === 0xffffffff) throw new Error(`${name}: zip64 entries are not read`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL)
      throw new Error(`${name}: damaged entry`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    if (raw.length !== size) throw new Error(`${name}: truncated`);
    if (method !== 0 && method !== 8) throw new Error(`${name}: compression method ${method} is not read`);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (crc32(data) !== crc) throw new Error(`${name}: does not match its CRC; the zip may be damaged`);
    entries.push({ name, data });
  }
  return entries;
}

/** Refuses a flush whose artifacts would replace the zips of an earlier local run in `dir`. */
export function checkLocalArtifactName(dir: string, name: string): void {
  const held = [name, finalName(name)].map((n) => `${n}.zip`).filter((z) => existsSync(join(dir, z)));
  if (held.length === 0) return;
  throw new InputError(
    'artifact-name',
    `the local artifact folder ${resolve(dir)} (${LOCAL_ARTIFACT_PATH}) already holds ${held.join(' and ')}, the journal of an earlier local run: give another artifact-name, or move ${held.length > 1 ? 'them' : 'it'} away`,
  );
}

/** A journal's file name: `*.hashfile`, or a name without a dot (as the GitHub store picks it). */
const isJournal = (file: string) => file.endsWith('.hashfile') || !file.includes('.');

/** The zip a download picks: `<name>-final`, else `<name>`, else (no name) the newest journal. */
export function pickLocalArtifact(dir: string, name: string | undefined): string | undefined {
  const zips = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.zip')) : [];
  if (name) return [`${finalName(name)}.zip`, `${name}.zip`].find((z) => zips.includes(z));
  const mtime = (z: string) => statSync(join(dir, z)).mtimeMs;
  const isFinal = (z: string) => z.endsWith('-final.zip');
  return zips
    .filter((z) => z.startsWith('binlog-flusher-journal-'))
    .sort((a, b) => mtime(b) - mtime(a) || Number(isFinal(b)) - Number(isFinal(a)))[0];
}

/** The journal of the zip `file`, written (0600) into a new directory under `into`. */
function extractJournal(file: string, into: string): string {
  const journals = readZip(readFileSync(file)).filter((e) => isJournal(basename(e.name)));
  if (journals.length !== 1)
    throw new Error(`${basename(file)} holds ${journals.length} journal files, expected 1`);
  const dir = mkdtempSync(join(into, 'bf-download-'));
  const path = join(dir, basename(journals[0]!.name));
  writeFileSync(path, journals[0]!.data, { mode: 0o600 });
  return path;
}

/**
 * `store` (the stand-in's client) with downloads from the local artifact folder `dir`. A download
 * from another run (run-id and a token) goes to `store`, which asks GitHub.
 */
export function withLocalArtifacts(store: JournalStore, dir: string): JournalStore {
  const folder = resolve(dir);
  return {
    async upload(name, files, retentionDays) {
      mkdirSync(folder, { recursive: true });
      const up = await store.upload(name, files, retentionDays);
      const zip = join(folder, `${name}.zip`);
      // The journal holds key values: its zip is as private as the journal.
      chmodSync(zip, 0o600);
      return { ...up, url: pathToFileURL(zip).href };
    },
    async download(name, into, from) {
      if (from) return store.download(name, into, from);
      const pick = pickLocalArtifact(folder, name);
      try {
        if (!pick) {
          throw new Error(
            name
              ? `no artifact named ${name} or ${finalName(name)} in the local artifact folder ${folder}`
              : `no binlog-flusher journal artifact in the local artifact folder ${folder}`,
          );
        }
        return extractJournal(join(folder, pick), into);
      } catch (e) {
        throw new FlusherError(
          `Unable to download the journal artifact: ${errorText(e)}`,
          ExitCode.badInput,
          {
            cause: e,
          },
        );
      }
    },
  };
}
