/**
 * The action's journal store (src/action/artifact.ts) against the local artifact service stand-in:
 * no copy of the journal is left in the temp directory, after a good upload or a failed one, and a
 * downloaded journal lands in the directory it is given (the journal path's), never in the temp dir.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandIn, type StandIn } from '../support/github-standin.js';
import type { JournalStore } from '../../src/action/artifact.js';

const RUN_ID = 4242;
const JOURNAL = '{"type":"header","kind":"binlog-flusher-journal"}\n{"type":"key","id":12345}\n';

/** Every entry under `dir`, as paths relative to it. */
function entries(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((e) => {
    const rel = join(under, e.name);
    return e.isDirectory() ? [rel, ...entries(dir, rel)] : [rel];
  });
}

describe('the journal store leaves no copy of the journal outside the paths it is given', () => {
  const saved = { ...process.env };
  const outer = mkdtempSync(join(tmpdir(), 'bf-artifact-unit-'));
  const temp = join(outer, 'tmp');
  const work = join(outer, 'work');
  let standIn: StandIn;
  let store: JournalStore;
  let journal: string;
  let manifest: string;

  beforeAll(async () => {
    mkdirSync(temp);
    mkdirSync(work);
    journal = join(work, 'run.hashfile');
    manifest = join(work, 'run.manifest.json');
    writeFileSync(journal, JOURNAL);
    writeFileSync(manifest, '{"rows":1}\n');
    standIn = await startStandIn();
    Object.assign(process.env, {
      TMPDIR: temp,
      ACTIONS_RUNTIME_TOKEN: standIn.tokenFor(RUN_ID),
      ACTIONS_RESULTS_URL: `${standIn.url}/`,
      GITHUB_API_URL: standIn.url,
      GITHUB_RUN_ID: String(RUN_ID),
      GITHUB_REPOSITORY: 'acme/data',
      GITHUB_WORKSPACE: work,
      NO_PROXY: '127.0.0.1,localhost',
    });
    delete process.env.GITHUB_SERVER_URL;
    expect(tmpdir()).toBe(temp);
    const { githubJournalStore } = await import('../../src/action/artifact.js');
    store = githubJournalStore(process.env);
  });

  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await standIn?.close();
    rmSync(outer, { recursive: true, force: true });
  });

  it('uploads the journal and its manifest from where they lie; a failed upload leaves nothing either', async () => {
    const up = await store.upload('binlog-flusher-journal-t', [journal, manifest]);
    expect(up.id).toBeGreaterThan(0);
    const stored = standIn.artifacts.find((a) => a.name === 'binlog-flusher-journal-t');
    expect(stored?.hashVerified).toBe(true);
    // The zip names its entries in plain text: the two files, under their own names, no folder.
    for (const f of ['run.hashfile', 'run.manifest.json']) expect(stored?.bytes.includes(f)).toBe(true);
    expect(stored?.bytes.includes('work/')).toBe(false);
    // Artifacts are immutable: a second upload under the same name is refused by the service.
    await expect(store.upload('binlog-flusher-journal-t', [journal])).rejects.toThrow(
      /Unable to upload the journal as artifact binlog-flusher-journal-t/,
    );
    expect(entries(temp)).toEqual([]);
    expect(entries(work).sort()).toEqual(['run.hashfile', 'run.manifest.json']);
  });

  it('downloads a journal into the directory it is given, not into the temp directory', async () => {
    const into = mkdtempSync(join(work, 'journals-'));
    const got = await store.download('binlog-flusher-journal-t', into);
    expect(got.startsWith(into + '/')).toBe(true);
    expect(got.endsWith('run.hashfile')).toBe(true);
    expect(entries(temp)).toEqual([]);
  });
});
