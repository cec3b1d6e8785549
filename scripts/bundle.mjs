// Builds the committed bundles in dist/ with @vercel/ncc: one self-contained file per entry point.
// The three builds run side by side: each is mostly ncc's own type-check, one core each.
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const entries = [
  ['src/cli/index.ts', 'dist/cli'],
  ['src/action/main.ts', 'dist/main'],
  ['src/action/post.ts', 'dist/post'],
];
await Promise.all(
  entries.map(async ([src, out]) => {
    rmSync(out, { recursive: true, force: true });
    const { stdout, stderr } = await run(
      'npx',
      ['ncc', 'build', src, '-o', out, '--no-source-map-register', '--license', 'licenses.txt', '-q'],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((e) => {
      process.stderr.write(`${src}: ${e.stdout ?? ''}${e.stderr ?? ''}\n`);
      throw e;
    });
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    const file = `${out}/index.js`;
    const text = readFileSync(file, 'utf8');
    if (!text.startsWith('#!')) writeFileSync(file, `#!/usr/bin/env node\n${text}`);
    chmodSync(file, 0o755);
  }),
);
