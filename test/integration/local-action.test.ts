/**
 * `npm run local-action`: the action run from its source by @github/local-action, with its stand-ins
 * for @actions/core and @actions/artifact (artifacts as zips in a local folder). A flush, then
 * `mode: recover` of that run's journal from the folder in a later run, as a developer would.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readZip } from '../../src/action/local-artifacts.js';
import { seqSql } from '../fixtures/kinds.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';

const sb = inject('sandbox')!;
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');
const SCHEMA = 'bf_local';
const NAME = 'journal-local';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
/** The script's own arguments, with the .env file replaced by each test's. */
const SCRIPT = /^local-action (\S+) (\S+) \.env$/.exec(pkg.scripts['local-action'] ?? '');

interface LocalRun {
  code: number | null;
  out: string;
  outputs: Record<string, string>;
}

// eslint-disable-next-line no-control-regex
const plain = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '');

/** `npm run local-action` with `envFile` for `.env`: the same CLI, action path and entry. */
function localAction(envFile: string, tmp: string): Promise<LocalRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, SCRIPT![1]!, SCRIPT![2]!, envFile], {
      cwd: ROOT,
      // Nothing of the test's own environment: what the action reads comes from the .env file. Its
      // temporary files (the upload's copies) go into the test's folder, removed at the end.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = plain(out);
      const outputs: Record<string, string> = {};
      for (const m of text.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)) outputs[m[1]!] = m[2]!;
      resolve({ code, out: text, outputs });
    });
  });
}

const hasLocalAction = existsSync(BIN);
const SKIP = hasLocalAction
  ? ''
  : ' (skipped: @github/local-action is not in node_modules; npm ci installs it)';

describe.skipIf(!hasLocalAction)(
  `the action run locally with @github/local-action (npm run local-action)${SKIP}`,
  () => {
    let dir: string;
    let before: SchemaSnapshot;
    const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA));
    const arts = () => join(dir, 'artifacts');
    const run = (env: string) => localAction(env, join(dir, 'tmp'));

    /** A .env file as .env.example has it, pointed at the sandbox replica. */
    function envFile(file: string, vars: Record<string, string>): string {
      const all: Record<string, string> = {
        LOCAL_ACTION_WORKSPACE: dir,
        LOCAL_ACTION_ARTIFACT_PATH: arts(),
        GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
        RUNNER_TEMP: join(dir, 'temp'),
        GITHUB_JOB: 'local',
        GITHUB_RUN_ATTEMPT: '1',
        INPUT_HOST: sb.replica.host,
        INPUT_PORT: String(sb.replica.port),
        INPUT_USER: sb.replica.user,
        INPUT_PASSWORD: sb.replica.password,
        INPUT_DATABASES: SCHEMA,
        'INPUT_CHUNK-SIZE': '40',
        'INPUT_ARTIFACT-NAME': NAME,
        ...vars,
      };
      const path = join(dir, file);
      writeFileSync(
        path,
        Object.entries(all)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
        { mode: 0o600 },
      );
      return path;
    }

    beforeAll(async () => {
      expect(SCRIPT, `package.json scripts.local-action: ${pkg.scripts['local-action']}`).not.toBeNull();
      dir = mkdtempSync(join(tmpdir(), 'bf-local-action-'));
      mkdirSync(join(dir, 'temp'));
      mkdirSync(join(dir, 'later'));
      mkdirSync(join(dir, 'tmp'));
      await startReplica(sb.replica).catch(() => undefined);
      await withSql(sb.primary, (c) =>
        c.query(`${sb.flavour === 'mariadb' ? '' : 'SET SESSION cte_max_recursion_depth = 100000;'}
DROP DATABASE IF EXISTS ${SCHEMA};
CREATE DATABASE ${SCHEMA};
USE ${SCHEMA};
CREATE TABLE ${SCHEMA}.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO ${SCHEMA}.t SELECT seq, CONCAT('row ', seq) FROM (${seqSql(sb.flavour === 'mariadb', 100)}) s;`),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      before = await snap();
    });
    afterAll(async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      await startReplica(sb.replica).catch(() => undefined);
      await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${SCHEMA}`)).catch(() => undefined);
    });

    it('flush: exit 0, the outputs, both journal artifacts as private zips in the local folder', async () => {
      const r = await run(envFile('flush.env', { INPUT_MODE: 'flush' }));
      expect(r.code, r.out).toBe(0);
      // run() returned to local-action, which printed the outputs (the step did not exit under it).
      expect(r.out).toMatch(/Action Outputs/);
      expect(r.outputs).toMatchObject({
        status: 'flushed',
        'tables-flushed': '1',
        'rows-flushed': '100',
        hashfile: join(dir, 'temp', `binlog-flusher-journal-${sb.replica.host}-local-1.hashfile`),
        'artifact-url': `file://${arts()}/${NAME}-final.zip`,
      });
      expect(r.outputs['binlog-start']).toMatch(/^[\w.-]+\.\d+:\d+$/);
      expect(r.out).toMatch(/before the first change/);
      expect(readdirSync(arts()).sort()).toEqual([`${NAME}-final.zip`, `${NAME}.zip`]);
      for (const z of readdirSync(arts())) expect(statSync(join(arts(), z)).mode & 0o777).toBe(0o600);
      const final = readZip(readFileSync(join(arts(), `${NAME}-final.zip`)));
      expect(final.map((e) => e.name).sort()).toEqual([
        `binlog-flusher-journal-${sb.replica.host}-local-1.hashfile`,
        `binlog-flusher-journal-${sb.replica.host}-local-1.hashfile.manifest.json`,
      ]);
      expect(
        final.find((e) => e.name.endsWith('.hashfile'))!.data.equals(readFileSync(r.outputs.hashfile!)),
      ).toBe(true);
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/## binlog-flusher: flushed/);
      const zips = readdirSync(arts()).map((z) => readFileSync(join(arts(), z), 'latin1'));
      expect([r.out, ...zips, readFileSync(join(dir, 'summary.md'), 'utf8')].join('\n')).not.toContain(
        sb.replica.password,
      );
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });

    it('recover in a later run: the journal from the local artifact folder, every table unchanged', async () => {
      // Another RUNNER_TEMP: the flush's journal is not on disk where this run looks first.
      const r = await run(envFile('recover.env', { INPUT_MODE: 'recover', RUNNER_TEMP: join(dir, 'later') }));
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/journal downloaded from the local artifact folder: /);
      expect(r.outputs.status).toBe('recovered');
      expect(r.outputs.hashfile).toMatch(
        new RegExp(`^${join(dir, 'later')}/bf-download-[^/]+/binlog-flusher-journal-.*-local-1\\.hashfile$`),
      );
      const flushed = readFileSync(
        join(dir, 'temp', `binlog-flusher-journal-${sb.replica.host}-local-1.hashfile`),
      );
      expect(readFileSync(r.outputs.hashfile!).subarray(0, flushed.length).equals(flushed)).toBe(true);
      expect(r.out).toMatch(/already-restored/);
      expect(await snap()).toEqual(before);
      expect(await withSql(sb.replica, leftovers)).toEqual([]);
    });

    it('verify in a later run: the same journal from the folder, the binlog holds what it says', async () => {
      const r = await run(envFile('verify.env', { INPUT_MODE: 'verify', RUNNER_TEMP: join(dir, 'later') }));
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/journal downloaded from the local artifact folder: /);
      expect(r.outputs.status).toBe('verified');
      expect(JSON.parse(r.outputs['verified-by-value']!)).toEqual([`${SCHEMA}.t`]);
    });

    it('a failure is a non-zero exit: no such artifact; a flush that would replace an earlier zip', async () => {
      const missing = await run(
        envFile('missing.env', {
          INPUT_MODE: 'recover',
          RUNNER_TEMP: join(dir, 'later'),
          'INPUT_ARTIFACT-NAME': 'nope',
        }),
      );
      expect(missing.code, missing.out).toBe(1);
      expect(missing.out).toMatch(
        `::error::Unable to download the journal artifact: no artifact named nope or nope-final in the local artifact folder ${arts()}`,
      );
      const again = await run(envFile('again.env', { INPUT_MODE: 'flush', RUNNER_TEMP: join(dir, 'later') }));
      expect(again.code, again.out).toBe(1);
      expect(again.out).toMatch(
        `::error::artifact-name: the local artifact folder ${arts()} (LOCAL_ACTION_ARTIFACT_PATH) already holds ${NAME}.zip and ${NAME}-final.zip`,
      );
      expect(readdirSync(join(dir, 'later')).filter((f) => f.endsWith('.hashfile'))).toEqual([]);
      expect(await snap()).toEqual(before);
    });
  },
);
