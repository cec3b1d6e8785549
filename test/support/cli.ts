/** Running the CLI as a real process, the way a user does. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerInfo } from '../sandbox/types.js';
import { procState, waitFor } from './process.js';
import { tempDir } from './temp.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  entry?: 'src' | 'dist';
  timeoutMs?: number;
  onSpawn?: (pid: number) => void;
}

/** A CLI process under way: its pid, its output so far, and its end. */
export interface CliProcess {
  pid: number;
  /** stdout and stderr so far, in the order they came. */
  output(): string;
  /** Whether it has ended (its output is all there). */
  ended(): boolean;
  /** Resolves once `pattern` is in its output; throws (with the output) after `ms`, or once it ended without it. */
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  done: Promise<CliRun>;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** A my.cnf for a sandbox server (the password lives only here). */
export function mycnfFor(server: ServerInfo): string {
  const dir = tempDir('bf-cnf-');
  const path = join(dir, 'my.cnf');
  writeFileSync(
    path,
    `[client]\nuser=${server.user}\npassword=${server.password}\nhost=${server.host}\nport=${server.port}\n`,
    { mode: 0o600 },
  );
  return path;
}

/** Starts the CLI. `entry`: 'src' runs the TypeScript through tsx; 'dist' runs the committed bundle. */
export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  const entry = opts.entry ?? 'src';
  const argv =
    entry === 'src'
      ? ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), ...args]
      : [join(ROOT, 'dist/cli/index.js'), ...args];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, MYSQL_PWD: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let both = '';
  let ended = false;
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (both += d.toString())));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), (both += d.toString())));
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ended = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
  return {
    pid: child.pid ?? 0,
    output: () => both,
    ended: () => ended,
    done,
    waitForOutput: async (pattern, ms = 60_000) => {
      await waitFor(() => pattern.test(both) || ended, ms);
      if (!pattern.test(both))
        throw new Error(
          `${ended ? 'the process ended' : `timed out after ${ms} ms`} without ${pattern} in its output:\n${both}`,
        );
    },
  };
}

/** Runs the CLI to its end. */
export function runCliProcess(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return startCli(args, opts).done;
}

/**
 * The CLI with `BINLOG_FLUSHER_FAULT=POINT:SIGSTOP`: it stops itself there, holding what it holds
 * (the run lock, tables set aside). `frozen`: it did within `ms` (SIGCONT lets it go on).
 */
export async function frozenCli(
  args: string[],
  point: string,
  ms = 60_000,
): Promise<{ proc: CliProcess; frozen: boolean }> {
  const proc = startCli(args, { env: { BINLOG_FLUSHER_FAULT: `${point}:SIGSTOP` } });
  const frozen = await waitFor(() => proc.pid !== 0 && procState(proc.pid) === 'T', ms);
  return { proc, frozen };
}

/** `recover` of a journal with one my.cnf, as the tests run it (`extra` after the journal). */
export function recoverWith(mycnf: string) {
  return (hashfile: string, ...extra: string[]) =>
    runCliProcess(['recover', '--mycnf', mycnf, '--hashfile', hashfile, ...extra]);
}
