import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seqSql } from '../fixtures/kinds.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { startStandIn, type StandIn } from '../support/github-standin.js';
import { allJobs, newJob, runStep, type StepResult } from '../support/action-runner.js';
import { node24 } from '../support/node24.js';

const sb = inject('sandbox')!;
const SCHEMA = 'bf_act';
const ARTIFACT = 'journal-e2e';

function fixture(maria: boolean): string {
  return `
${maria ? '' : 'SET SESSION cte_max_recursion_depth = 100000000;'}
DROP DATABASE IF EXISTS ${SCHEMA};
CREATE DATABASE ${SCHEMA};
USE ${SCHEMA};
CREATE TABLE big (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
INSERT INTO big SELECT seq, seq FROM (${seqSql(maria, 200000)}) s;
CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO parent SELECT seq FROM (${seqSql(maria, 50)}) s;
CREATE TABLE child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id)) ENGINE=InnoDB;
INSERT INTO child SELECT seq, seq FROM (${seqSql(maria, 50)}) s;
CREATE TABLE gen (id INT PRIMARY KEY, a INT, b INT AS (a * 3) VIRTUAL) ENGINE=InnoDB;
INSERT INTO gen (id, a) SELECT seq, seq FROM (${seqSql(maria, 50)}) s;
`;
}

function inputs(over: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'flush',
    host: sb.replica.host,
    port: String(sb.replica.port),
    user: sb.replica.user,
    password: sb.replica.password,
    databases: SCHEMA,
    'chunk-size': '500',
    'artifact-name': ARTIFACT,
    ...over,
  };
}

/** `::add-mask::` lines are the runner's masking commands: the runner consumes them, never shows them. */
const shown = (t: string) =>
  t
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

function noSecret(r: StepResult, extra = ''): void {
  const all = [
    shown(r.stdout),
    r.stderr,
    JSON.stringify(r.outputs),
    JSON.stringify(r.state),
    r.summary,
    extra,
  ].join('\n');
  expect(all).not.toContain(sb.replica.password);
}

describe('the GitHub Action, run from the committed bundle as a runner does', () => {
  let standIn: StandIn;
  let before: SchemaSnapshot;
  const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA));

  beforeAll(async () => {
    standIn = await startStandIn();
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(fixture(sb.flavour === 'mariadb')));
    await waitCaughtUp(sb.primary, sb.replica);
    before = await snap();
  });
  afterAll(async () => {
    await standIn?.close();
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('flush: uploads the journal before the first change and at the end, sets outputs and the summary', async () => {
    const job = newJob(standIn, 101);
    const r = await runStep(job, 'main', inputs());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.status).toBe('flushed');
    expect(r.outputs['tables-flushed']).toBe('4');
    expect(r.outputs['rows-flushed']).toBe(String(200000 + 150));
    expect(r.outputs['binlog-start']).toMatch(/^binlog\.\d+:\d+$/);
    expect(r.outputs['binlog-end']).toMatch(/^binlog\.\d+:\d+$/);
    expect(r.outputs['artifact-url']).toMatch(/\/acme\/data\/actions\/runs\/101\/artifacts\/\d+$/);
    const names = standIn.artifacts.filter((a) => a.runId === 101).map((a) => a.name);
    expect(names).toEqual([ARTIFACT, `${ARTIFACT}-final`]);
    for (const a of standIn.artifacts) expect(a.hashVerified).toBe(true);
    expect(r.outputs['artifact-id']).toBe(
      String(standIn.artifacts.find((a) => a.name === `${ARTIFACT}-final`)!.id),
    );
    // The plan artifact was stored before the first change: it precedes the replica stop in the log.
    expect(r.stdout.indexOf('before the first change')).toBeLessThan(
      r.stdout.indexOf('replica applier stopped'),
    );
    expect(r.summary).toMatch(/\| `bf_act.big` \| 200000 \|/);
    expect(r.summary).toMatch(/Binlog start: `binlog\.\d+:\d+`/);
    expect(r.summary).toMatch(/- Server setting read_only: turned ON for the run, back to OFF/);
    expect(r.stdout).toMatch(/::group::Preflight/);
    expect(r.state.clean).toBe('true');
    noSecret(r, standIn.artifacts.map((a) => a.bytes.toString('latin1')).join(''));
    expect(await snap()).toEqual(before);

    // Post step after a clean main: nothing to do.
    const post = await runStep(job, 'post', inputs());
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/nothing to do/);
  });

  it('recover: from this run by artifact name, and from another run with run-id + token', async () => {
    const same = await runStep(newJob(standIn, 101), 'main', inputs({ mode: 'recover' }));
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.outputs.status).toBe('recovered');
    expect(same.summary).toMatch(/already-restored/);

    const other = await runStep(
      newJob(standIn, 202),
      'main',
      inputs({ mode: 'recover', 'run-id': '101', 'github-token': 'ghs_test_token' }),
    );
    expect(other.code, other.stdout + other.stderr).toBe(0);
    expect(other.outputs.status).toBe('recovered');
    expect(standIn.requests).toContain('GET /repos/acme/data/actions/runs/101/artifacts');
    expect(shown(other.stdout) + other.stderr).not.toContain('ghs_test_token');
    expect(await snap()).toEqual(before);
  });

  it('verify: true after a flush, then mode: verify from the artifact; the manifest goes up with the final journal', async () => {
    await startReplica(sb.replica);
    const r = await runStep(newJob(standIn, 707), 'main', inputs({ verify: 'true' }));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.status).toBe('flushed');
    expect(r.outputs.verify).toBe('verified');
    expect(r.outputs.manifest).toBe(`${r.outputs.hashfile}.manifest.json`);
    expect(r.summary).toMatch(/### Manifest/);
    expect(r.summary).toMatch(/## binlog-flusher verify: verified/);
    expect(r.summary).toMatch(/\| `bf_act.big` \| 200000 \| 200000 \| by value \| ok \|/);
    expect(JSON.parse(r.outputs['verified-by-value']!)).toContain('bf_act.big');
    const [plan, final] = standIn.artifacts.filter((a) => a.runId === 707);
    // Zip entries carry their file names in the clear.
    expect(final!.bytes.toString('latin1')).toMatch(/\.hashfile\.manifest\.json/);
    expect(plan!.bytes.toString('latin1')).not.toMatch(/manifest\.json/);
    noSecret(r);

    // Another job of another run: downloads the journal artifact and verifies it.
    const v = await runStep(
      newJob(standIn, 808),
      'main',
      inputs({ mode: 'verify', 'run-id': '707', 'github-token': 'ghs_test_token' }),
    );
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.outputs.status).toBe('verified');
    expect(v.summary).toMatch(/\| `bf_act.child` \| 50 \| 50 \| by value \| ok \|/);
    expect(v.summary).toMatch(/Compared by value: (\d+) of \1 tables/);
    noSecret(v);
    expect(await snap()).toEqual(before);
  });

  it('main killed with SIGKILL mid-flush, then the post step: every table back and the journal uploaded', async () => {
    await startReplica(sb.replica);
    const job = newJob(standIn, 303);
    const main = await runStep(job, 'main', inputs(), {
      env: { BINLOG_FLUSHER_FAULT: `mid-copy@${SCHEMA}.big` },
    });
    expect(main.signal).toBe('SIGKILL');
    expect((await withSql(sb.replica, leftovers)).length).toBeGreaterThan(0);
    expect(main.state.hashfile).toBeTruthy();
    expect(main.state.clean).toBeUndefined();
    const post = await runStep(job, 'post', inputs());
    expect(post.code, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toMatch(/every table is back in place/);
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    expect(standIn.artifacts.filter((a) => a.runId === 303).map((a) => a.name)).toEqual([
      ARTIFACT,
      `${ARTIFACT}-final`,
    ]);
    const final = standIn.artifacts.find((a) => a.runId === 303 && a.name === `${ARTIFACT}-final`)!;
    expect(final.hashVerified).toBe(true);
    noSecret(post, final.bytes.toString('latin1'));
  });

  it('main sent SIGINT mid-flush: every table back within 7.5 s and the step fails with a clear message', async () => {
    await startReplica(sb.replica);
    const job = newJob(standIn, 404);
    let pid = 0;
    let signalledAt = 0;
    const watcher = setInterval(() => {
      if (!pid || signalledAt) return;
      let text = '';
      try {
        text = readFileSync(`${job.dir}/${ARTIFACT}.hashfile`, 'utf8');
      } catch {
        return;
      }
      if (/"type":"chunk"/.test(text)) {
        signalledAt = Date.now();
        process.kill(pid, 'SIGINT');
      }
    }, 10);
    const r = await runStep(
      job,
      'main',
      inputs({ 'chunk-size': '100', hashfile: `${job.dir}/${ARTIFACT}.hashfile` }),
      {
        onStart: (p) => (pid = p),
      },
    );
    clearInterval(watcher);
    expect(signalledAt).toBeGreaterThan(0);
    const tookMs = Date.now() - signalledAt;
    expect(tookMs).toBeLessThan(7500);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /::error::cancelled: the running copies were stopped and every table is back in place/,
    );
    expect(r.outputs.status).toBe('failed-restored');
    expect(await snap()).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    expect(standIn.artifacts.filter((a) => a.runId === 404).map((a) => a.name)).toEqual([
      ARTIFACT,
      `${ARTIFACT}-final`,
    ]);
    console.log(`SIGINT to exit with every table back: ${tookMs} ms`);
  });

  it('runs under Node 24 too (plan mode changes nothing)', async () => {
    await startReplica(sb.replica);
    const bin = node24();
    expect(bin, 'a Node 24 binary from the npm registry').toBeTruthy();
    const r = await runStep(newJob(standIn, 505), 'main', inputs({ mode: 'plan' }), { node: bin });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/v24\.|Preflight/);
    expect(r.outputs.status).toBe('planned');
    expect(r.summary).toMatch(/binlog-flusher plan/);
    expect(await snap()).toEqual(before);
  }, 300_000);

  it('a bad input fails the step naming the input, before anything connects', async () => {
    const r = await runStep(
      newJob(standIn, 606),
      'main',
      inputs({ 'chunk-size': 'lots', host: 'no-such-host.invalid' }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/::error::chunk-size: expected a whole number from 1 to 10000000, got "lots"/);
  });

  it('a failed upload, and every step before it, leaves no copy of the journal in the temp directory', async () => {
    // A second flush in one run finds both artifact names taken: both its uploads are refused
    // (artifacts are immutable), so it stops before its first change.
    const first = await runStep(newJob(standIn, 909), 'main', inputs());
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const r = await runStep(newJob(standIn, 909), 'main', inputs());
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Unable to upload the journal as artifact journal-e2e/);
    expect(await snap()).toEqual(before);
    const left = allJobs().flatMap((j) => readdirSync(j.tmp).map((f) => `run ${j.runId}: ${f}`));
    expect(left).toEqual([]);
  });
});
