// Builds the committed bundles in dist/ with @vercel/ncc: one self-contained file per entry point.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const entries = [
  ['src/cli/index.ts', 'dist/cli'],
  ['src/action/main.ts', 'dist/main'],
  ['src/action/post.ts', 'dist/post'],
];
for (const [src, out] of entries) {
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    'npx',
    ['ncc', 'build', src, '-o', out, '--no-source-map-register', '--license', 'licenses.txt', '-q'],
    {
      stdio: 'inherit',
    },
  );
  const file = `${out}/index.js`;
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('#!')) writeFileSync(file, `#!/usr/bin/env node\n${text}`);
  chmodSync(file, 0o755);
}
