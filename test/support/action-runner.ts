/**
 * Runs the committed action bundle the way a GitHub runner does: `node dist/main/index.js` with
 * INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, the artifact runtime
 * variables pointing at the stand-in, and STATE_* variables for the post step. Each job has its own
 * TMPDIR (`job.tmp`), so a test can see what a step leaves in the temp directory. BF_ACTION_DIST
 * names another folder holding main/index.js and post/index.js (a bundle built elsewhere).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StandIn } from './github-standin.js';
import { tempDir } from './temp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = process.env.BF_ACTION_DIST || join(ROOT, 'dist');

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  ms: number;
}

/** Parses the `name<<delimiter ... delimiter` file-command format (and plain name=value lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export interface RunnerJob {
  standIn: StandIn;
  runId: number;
  dir: string;
  /** The steps' TMPDIR. */
  tmp: string;
  outputFile: string;
  stateFile: string;
  summaryFile: string;
}

const jobs: RunnerJob[] = [];

export function newJob(standIn: StandIn, runId: number): RunnerJob {
  const dir = tempDir('bf-runner-');
  const job = {
    standIn,
    runId,
    dir,
    tmp: join(dir, 'tmp'),
    outputFile: join(dir, 'output'),
    stateFile: join(dir, 'state'),
    summaryFile: join(dir, 'summary'),
  };
  mkdirSync(job.tmp);
  for (const f of [job.outputFile, job.stateFile, job.summaryFile]) writeFileSync(f, '');
  jobs.push(job);
  return job;
}

/** Every job made so far (in this test file). */
export function allJobs(): readonly RunnerJob[] {
  return jobs;
}

export function runStep(
  job: RunnerJob,
  step: 'main' | 'post',
  inputs: Record<string, string>,
  opts: { env?: NodeJS.ProcessEnv; node?: string; onStart?: (pid: number) => void; timeoutMs?: number } = {},
): Promise<StepResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: job.outputFile,
    GITHUB_STATE: job.stateFile,
    GITHUB_STEP_SUMMARY: job.summaryFile,
    GITHUB_RUN_ID: String(job.runId),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'flush',
    GITHUB_REPOSITORY: 'acme/data',
    GITHUB_WORKSPACE: job.dir,
    RUNNER_TEMP: job.dir,
    TMPDIR: job.tmp,
    ACTIONS_RUNTIME_TOKEN: job.standIn.tokenFor(job.runId),
    ACTIONS_RESULTS_URL: `${job.standIn.url}/`,
    GITHUB_API_URL: job.standIn.url,
    NO_PROXY: '127.0.0.1,localhost',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  if (step === 'post') {
    for (const [k, v] of Object.entries(parseFileCommands(readFileSync(job.stateFile, 'utf8'))))
      env[`STATE_${k}`] = v;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.node ?? process.execPath, [join(DIST, step, 'index.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    if (child.pid && opts.onStart) opts.onStart(child.pid);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(job.outputFile, 'utf8')),
        state: parseFileCommands(readFileSync(job.stateFile, 'utf8')),
        summary: readFileSync(job.summaryFile, 'utf8'),
        ms: Date.now() - started,
      });
    });
  });
}
