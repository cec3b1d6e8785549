import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalStore, Uploaded } from '../../src/action/artifact.js';
import {
  checkLocalArtifactName,
  pickLocalArtifact,
  readZip,
  withLocalArtifacts,
} from '../../src/action/local-artifacts.js';
import { journalStore } from '../../src/action/main-step.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A zip as archivers write one: local headers, the data, the central directory, its end record. */
function zip(files: { name: string; data: Buffer; deflate?: boolean; badCrc?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const body = f.deflate ? deflateRawSync(f.data) : f.data;
    const name = Buffer.from(f.name);
    const crc = (crc32(f.data) ^ (f.badCrc ? 1 : 0)) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(f.deflate ? 8 : 0, 8);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(f.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const JOURNAL = Buffer.from('{"type":"start"}\n{"type":"table"}\n'.repeat(50));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bf-local-artifacts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readZip', () => {
  it('reads stored and deflated entries, and skips folders', () => {
    const entries = readZip(
      zip([
        { name: 'sub/', data: Buffer.alloc(0) },
        { name: 'a.hashfile', data: JOURNAL, deflate: true },
        { name: 'a.hashfile.manifest.json', data: Buffer.from('{}') },
      ]),
    );
    expect(entries.map((e) => e.name)).toEqual(['a.hashfile', 'a.hashfile.manifest.json']);
    expect(entries[0]!.data.equals(JOURNAL)).toBe(true);
    expect(entries[1]!.data.toString()).toBe('{}');
  });
  it('refuses a damaged zip: a wrong CRC, a cut file, no end record', () => {
    expect(() => readZip(zip([{ name: 'a.hashfile', data: JOURNAL, deflate: true, badCrc: true }]))).toThrow(
      /a\.hashfile: does not match its CRC/,
    );
    const whole = zip([{ name: 'a.hashfile', data: JOURNAL }]);
    expect(() => readZip(Buffer.concat([whole.subarray(0, 100), whole.subarray(whole.length - 22)]))).toThrow(
      /damaged|truncated/,
    );
    expect(() => readZip(Buffer.from('not a zip at all, not even close to one'))).toThrow(/not a zip file/);
  });
});

describe('the local artifact folder', () => {
  const put = (name: string, files: Parameters<typeof zip>[0], mtime?: number) => {
    writeFileSync(join(dir, `${name}.zip`), zip(files));
    if (mtime) utimesSync(join(dir, `${name}.zip`), mtime, mtime);
  };

  it('picks <name>-final, else <name>; with no name the newest journal, the final one on a tie', () => {
    put('j', [{ name: 'j.hashfile', data: JOURNAL }]);
    expect(pickLocalArtifact(dir, 'j')).toBe('j.zip');
    put('j-final', [{ name: 'j.hashfile', data: JOURNAL }]);
    expect(pickLocalArtifact(dir, 'j')).toBe('j-final.zip');
    expect(pickLocalArtifact(dir, 'other')).toBeUndefined();
    expect(pickLocalArtifact(dir, undefined)).toBeUndefined();
    put('binlog-flusher-journal-a-local-1', [], 1000);
    put('binlog-flusher-journal-b-local-1', [], 2000);
    put('binlog-flusher-journal-b-local-1-final', [], 2000);
    expect(pickLocalArtifact(dir, undefined)).toBe('binlog-flusher-journal-b-local-1-final.zip');
    expect(pickLocalArtifact(join(dir, 'missing'), 'j')).toBeUndefined();
  });

  it('a flush is refused when the folder holds its artifact names, naming artifact-name', () => {
    expect(() => checkLocalArtifactName(dir, 'j')).not.toThrow();
    put('j-final', []);
    expect(() => checkLocalArtifactName(dir, 'j')).toThrow(
      /^artifact-name: the local artifact folder .* \(LOCAL_ACTION_ARTIFACT_PATH\) already holds j-final\.zip, the journal of an earlier local run: give another artifact-name, or move it away$/,
    );
    put('j', []);
    expect(() => checkLocalArtifactName(dir, 'j')).toThrow(
      /already holds j\.zip and j-final\.zip.*move them away$/,
    );
  });

  function inner(): JournalStore & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async upload(name): Promise<Uploaded> {
        calls.push(`upload ${name}`);
        writeFileSync(join(dir, 'arts', `${name}.zip`), 'zip');
        return { id: 7, url: 'https://github.com//actions/runs//artifacts/7', name };
      },
      async download(name, _into, from) {
        calls.push(`download ${name} ${from?.runId}`);
        return '/from/github';
      },
    };
  }

  it("download: the journal of the picked zip, 0600, in a new folder in the directory given (the journal path's)", async () => {
    const arts = join(dir, 'arts');
    const temp = join(dir, 'temp');
    mkdirSync(arts);
    mkdirSync(temp);
    writeFileSync(
      join(arts, 'j-final.zip'),
      zip([
        { name: 'j.hashfile', data: JOURNAL, deflate: true },
        { name: 'j.hashfile.manifest.json', data: Buffer.from('{}') },
      ]),
    );
    const base = inner();
    const store = withLocalArtifacts(base, arts);
    const got = await store.download('j', temp);
    expect(dirname(dirname(got))).toBe(temp);
    expect(got).toMatch(/\/bf-download-[^/]+\/j\.hashfile$/);
    expect(readFileSync(got).equals(JOURNAL)).toBe(true);
    expect(statSync(got).mode & 0o777).toBe(0o600);
    // Another run's artifact (run-id and a token) is GitHub's to give.
    expect(await store.download('j', temp, { runId: 5, token: 't' })).toBe('/from/github');
    expect(base.calls).toEqual(['download j 5']);
  });

  it('download: what is missing or not one journal is a bad input naming the folder', async () => {
    const store = withLocalArtifacts(inner(), dir);
    await expect(store.download('j', dir)).rejects.toMatchObject({
      exitCode: 2,
      message: `Unable to download the journal artifact: no artifact named j or j-final in the local artifact folder ${dir}`,
    });
    await expect(store.download(undefined, dir)).rejects.toThrow(
      `no binlog-flusher journal artifact in the local artifact folder ${dir}`,
    );
    put('two', [
      { name: 'a.hashfile', data: JOURNAL },
      { name: 'b.hashfile', data: JOURNAL },
    ]);
    await expect(store.download('two', dir)).rejects.toThrow(/two\.zip holds 2 journal files, expected 1/);
  });

  it('upload: through the stand-in, into a folder made for it; the zip private, its URL a file URL', async () => {
    const arts = join(dir, 'arts');
    const base = inner();
    const store = withLocalArtifacts(base, arts);
    const files = [join(dir, 'j.hashfile')];
    // The stand-in writes into the folder, so it must exist before the upload.
    const up = await store.upload('j', files, 3);
    expect(base.calls).toEqual(['upload j']);
    expect(up).toEqual({ id: 7, name: 'j', url: `file://${arts}/j.zip` });
    expect(statSync(join(arts, 'j.zip')).mode & 0o777).toBe(0o600);
  });

  it('the action uses the folder only under local-action (LOCAL_ACTION_ARTIFACT_PATH set)', async () => {
    mkdirSync(join(dir, 'arts'));
    writeFileSync(join(dir, 'arts', 'j.zip'), zip([{ name: 'j.hashfile', data: JOURNAL }]));
    const local = journalStore({ LOCAL_ACTION_ARTIFACT_PATH: join(dir, 'arts'), RUNNER_TEMP: dir });
    expect(readFileSync(await local.download('j', dir)).equals(JOURNAL)).toBe(true);
    // Without it, the artifact service: no runtime token here, so the listing fails.
    await expect(journalStore({ RUNNER_TEMP: dir }).download('j', dir)).rejects.toThrow(
      /ACTIONS_RUNTIME_TOKEN/,
    );
  });
});

describe('npm run local-action and .env.example', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('points local-action at the source entry that exports run(), never the bundle', async () => {
    const m = /^local-action \. (\S+) \.env$/.exec(pkg.scripts['local-action'] ?? '');
    expect(m, pkg.scripts['local-action']).not.toBeNull();
    expect(m![1]).toMatch(/^src\/action\/.*\.ts$/);
    expect(existsSync(join(ROOT, m![1]!))).toBe(true);
    const mod = (await import(join(ROOT, m![1]!))) as { run?: unknown };
    expect(typeof mod.run).toBe('function');
    expect(pkg.devDependencies['@github/local-action']).toMatch(/^\^7\./);
  });

  it('.env.example names every input of action.yml, the local-action folders, and no secret', () => {
    const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const missing = Object.keys(action.inputs).filter(
      (n) => !new RegExp(`^#? ?INPUT_${n.toUpperCase()}=`, 'm').test(text),
    );
    expect(missing).toEqual([]);
    for (const v of [
      'LOCAL_ACTION_WORKSPACE',
      'LOCAL_ACTION_ARTIFACT_PATH',
      'GITHUB_STEP_SUMMARY',
      'RUNNER_TEMP',
    ])
      expect(text).toMatch(new RegExp(`^${v}=\\S+$`, 'm'));
    for (const secret of ['INPUT_PASSWORD', 'INPUT_GITHUB-TOKEN', 'MYSQL_PWD'])
      expect(text).toMatch(new RegExp(`^#? ?${secret}=$`, 'm'));
  });
});
