/**
 * One writer per journal: an exclusive OS lock (flock(2)) on the journal file, held for as long as a
 * process may append to it. Node has no flock of its own, so a small helper holds it: util-linux's
 * `flock` opens the file, takes the lock and runs `cat` on a pipe from us. When we release it, or die
 * in any way (SIGKILL included), the pipe closes, `cat` ends and the kernel drops the lock.
 *
 * Where no `flock` command exists (macOS), a lock file beside the journal (`<journal>.lock`, created
 * exclusively, holding pid@host) stands in; one left by a dead process on this host is taken over.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface FileLock {
  /** Resolves once the lock is gone. */
  release(): Promise<void>;
}

export class FileLockBusyError extends Error {
  constructor(readonly path: string) {
    super(`${path} is open for writing by another binlog-flusher process`);
  }
}

const CONFLICT = 75;

export async function lockFile(
  path: string,
  waitS: number,
  opts: { helper?: 'flock' | 'lockfile' } = {},
): Promise<FileLock> {
  if (opts.helper !== 'lockfile') {
    const lock = await flockHelper(path, waitS);
    if (lock) return lock;
  }
  return lockFileBeside(path, waitS);
}

/** undefined when the `flock` command does not exist. */
function flockHelper(path: string, waitS: number): Promise<FileLock | undefined> {
  const wait = waitS > 0 ? ['--wait', String(waitS)] : ['--nonblock'];
  const child = spawn(
    'flock',
    // --close: the lock stays with flock itself, not with the command it runs (else `cat` could still
    // hold an inherited copy after flock has gone, and release would return before the lock is gone).
    [
      '--exclusive',
      ...wait,
      '--close',
      '--conflict-exit-code',
      String(CONFLICT),
      path,
      '-c',
      'echo locked; exec cat',
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const stdin = child.stdin as Writable & { unref?: () => void };
  const stdout = child.stdout as Readable & { unref?: () => void };
  return new Promise((resolve, reject) => {
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Closing the pipe ends `cat`, then flock, and with it the lock; a kill only if that stalls.
    const release = async () => {
      stdin.end();
      const stall = setTimeout(() => child.kill(), 2000);
      await exited;
      clearTimeout(stall);
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!out.includes('locked\n')) return;
      stdout.off('data', onData);
      child.off('exit', onExit);
      // Neither the helper nor its pipes may keep this process alive.
      child.unref();
      stdin.unref?.();
      stdout.unref?.();
      resolve({ release });
    };
    const onExit = (code: number | null) => {
      if (code === CONFLICT) reject(new FileLockBusyError(path));
      else reject(new Error(`cannot lock ${path}: the flock helper ended with ${String(code)}`));
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      child.off('exit', onExit);
      if (e.code === 'ENOENT') resolve(undefined);
      else reject(e);
    });
    stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockFileBeside(path: string, waitS: number): Promise<FileLock> {
  const lockPath = `${path}.lock`;
  const me = `${process.pid}@${hostname()}`;
  const deadline = Date.now() + waitS * 1000;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, me);
      closeSync(fd);
      return { release: async () => unlinkSync(lockPath) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = '';
    try {
      owner = readFileSync(lockPath, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pid, host] = owner.split('@');
    if (host === hostname() && pid && !processAlive(Number(pid))) {
      unlinkSync(lockPath); // its owner died without releasing it
      continue;
    }
    if (Date.now() >= deadline) throw new FileLockBusyError(path);
    await new Promise((r) => setTimeout(r, 100));
  }
}
