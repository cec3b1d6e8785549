/**
 * Temp directories that tests make, removed after each test file (test/setup/temp-dirs.ts calls
 * `removeTempDirs` in an afterAll of every file). Scripts outside vitest (bench, torture) may call it
 * themselves; what they do not remove stays, as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new directory in the temp directory, named `<prefix>XXXXXX`, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Remove every directory `tempDir` made so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
