/** Running the CLI as a real process, the way a user does. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerInfo } from '../sandbox/types.js';
import { tempDir } from './temp.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
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

/** `entry`: 'src' runs the TypeScript through tsx; 'dist' runs the committed bundle. */
export function runCliProcess(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    entry?: 'src' | 'dist';
    timeoutMs?: number;
    onSpawn?: (pid: number) => void;
  } = {},
): Promise<CliRun> {
  const entry = opts.entry ?? 'src';
  const argv =
    entry === 'src'
      ? ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), ...args]
      : [join(ROOT, 'dist/cli/index.js'), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: ROOT,
      env: { ...process.env, MYSQL_PWD: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
