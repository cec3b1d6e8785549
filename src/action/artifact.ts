/**
 * The only caller of @actions/artifact. Artifacts are immutable: the journal is uploaded twice under
 * two names, `<name>` (the plan, before the first change: enough to recover) and `<name>-final`
 * (the finished journal, after the run or from the post step).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DefaultArtifactClient, type FindOptions } from '@actions/artifact';
import { FlusherError, ExitCode, errorText } from '../model/errors.js';
import { saveManifest } from '../journal/manifest.js';

export interface Uploaded {
  id: number;
  url: string;
  name: string;
  digest?: string;
}

export interface JournalStore {
  /** The journal, and files that go with it (the manifest), under their own file names. */
  upload(name: string, files: string[], retentionDays?: number): Promise<Uploaded>;
  /**
   * The newest journal: `<name>-final`, else `<name>`, else the newest binlog-flusher journal of the
   * run, downloaded into a new folder in `into` (the directory of the journal path the user gave).
   */
  download(name: string | undefined, into: string, from?: { runId: number; token: string }): Promise<string>;
}

/**
 * The files of a final artifact: the journal, and its manifest (rebuilt from the journal, so a run the
 * post step finished has one too). A manifest that cannot be written is a warning, never a lost journal.
 */
export function withManifest(journal: string, warn: (text: string) => void): string[] {
  const manifest = saveManifest(journal, warn);
  return manifest ? [journal, manifest] : [journal];
}

export function finalName(name: string): string {
  return `${name}-final`;
}

function artifactUrl(id: number, env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}/artifacts/${id}`;
}

export function githubJournalStore(env: NodeJS.ProcessEnv): JournalStore {
  const client = new DefaultArtifactClient();
  return {
    async upload(name, files, retentionDays) {
      const paths = files.map((f) => resolve(f));
      const root = dirname(paths[0]!);
      // The files are zipped from where they lie (the journal and its manifest share a directory):
      // a staged copy would be one more copy of the journal's key values, outside the user's paths.
      if (paths.some((f) => dirname(f) !== root))
        throw new FlusherError(
          `Unable to upload the journal as artifact ${name}: ${files.join(', ')} are not in one directory`,
          ExitCode.unexpected,
        );
      try {
        const res = await client.uploadArtifact(name, paths, root, retentionDays ? { retentionDays } : {});
        if (!res.id) throw new Error('the artifact service returned no artifact id');
        return { id: res.id, url: artifactUrl(res.id, env), name, digest: res.digest };
      } catch (e) {
        throw new FlusherError(
          `Unable to upload the journal as artifact ${name}: ${errorText(e)}`,
          ExitCode.unexpected,
          { cause: e },
        );
      }
    },
    async download(name, into, from) {
      const [owner, repo] = (env.GITHUB_REPOSITORY ?? '/').split('/');
      const findBy: FindOptions['findBy'] | undefined = from
        ? {
            token: from.token,
            workflowRunId: from.runId,
            repositoryOwner: owner ?? '',
            repositoryName: repo ?? '',
          }
        : undefined;
      const opts = findBy ? { findBy } : {};
      try {
        const { artifacts } = await client.listArtifacts({ latest: true, ...opts });
        const pick =
          (name &&
            (artifacts.find((a) => a.name === finalName(name)) ?? artifacts.find((a) => a.name === name))) ||
          (!name
            ? artifacts
                .filter((a) => a.name.startsWith('binlog-flusher-journal-'))
                .sort(
                  (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0) || b.id - a.id,
                )[0]
            : undefined);
        if (!pick) {
          throw new Error(
            name
              ? `no artifact named ${name} or ${finalName(name)} in ${from ? `run ${from.runId}` : 'this run'}`
              : 'no binlog-flusher journal artifact in the run',
          );
        }
        const dir = mkdtempSync(join(into, 'bf-download-'));
        const res = await client.downloadArtifact(pick.id, { path: dir, ...opts, expectedHash: pick.digest });
        if (res.digestMismatch)
          throw new Error(`artifact ${pick.name} does not match its digest; it may be damaged`);
        const files = readdirSync(res.downloadPath ?? dir).filter(
          (f) => f.endsWith('.hashfile') || !f.includes('.'),
        );
        if (files.length !== 1)
          throw new Error(`artifact ${pick.name} holds ${files.length} journal files, expected 1`);
        return join(res.downloadPath ?? dir, files[0]!);
      } catch (e) {
        throw new FlusherError(
          `Unable to download the journal artifact: ${errorText(e)}`,
          ExitCode.badInput,
          { cause: e },
        );
      }
    },
  };
}
