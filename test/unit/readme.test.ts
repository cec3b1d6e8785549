/**
 * Issue 25, finding 13: every command the README gives works as written in a fresh clone. Here, what
 * can be checked without a server: each `npm run X` is a script, each file it names exists, no URL
 * of a release that does not exist, and the production checklist is there.
 * (test/integration/readme-sandbox.test.ts runs `npm run sandbox` and the command it prints.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
/** The README's code blocks, and its inline code. */
const blocks = [...readme.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
const commands = [
  ...blocks.flatMap((b) => b.split('\n')),
  ...[...readme.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!),
];

describe('the README commands (issue 25, finding 13)', () => {
  it('every `npm run X` is a script of package.json', () => {
    const named = new Set(
      commands.flatMap((c) => [...c.matchAll(/npm run ([a-z][a-z:-]*)/g)].map((m) => m[1]!)),
    );
    expect(named.size).toBeGreaterThan(5);
    for (const n of named) expect(Object.keys(pkg.scripts), `npm run ${n}`).toContain(n);
  });

  it("npx binlog-flusher is this package's own bin, said to work inside a clone only", () => {
    expect(pkg.bin['binlog-flusher']).toBe('dist/cli/index.js');
    expect(readme).toMatch(/`npx binlog-flusher` works only inside the clone/);
  });

  it('no download of a release that does not exist (no tag is published yet)', () => {
    expect(readme).not.toMatch(/raw\.githubusercontent\.com\/[^\s)]*\/v\d+\//);
    expect(readme).not.toMatch(/curl [^\n]*dist\/cli\/index\.js/);
  });

  it('every repository file a command or link names exists', () => {
    const paths = new Set(
      [
        ...readme.matchAll(
          /(?:^|[\s(`])((?:scripts|docs|test|src|dist|bench)\/[\w./-]+\.(?:sh|mjs|ts|js|md|yml))/gm,
        ),
      ].map((m) => m[1]!),
    );
    for (const f of ['.env.example', 'action.yml']) paths.add(f);
    expect(paths.size).toBeGreaterThan(5);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });

  it('the variable the sandbox scripts read is BF_SANDBOX, in the README and the root script alike', () => {
    expect(readme).not.toMatch(/BF_FLAVOUR\b/);
    expect(readFileSync(join(ROOT, 'scripts/flavour-root.sh'), 'utf8')).not.toMatch(/BF_FLAVOUR\b/);
    expect(readme).toMatch(/`\.ready`/);
  });

  it('has the checklist before a production run: applier, read_only, the journal and its key values, how to stop', () => {
    const start = readme.indexOf('### Before you run it on production');
    expect(start).toBeGreaterThan(0);
    const list = readme.slice(start, readme.indexOf('\n## ', start));
    for (const topic of [
      /--dry-run/,
      /applier stays stopped at the end\*\* unless you pass `--start-slave`/,
      /START ALL SLAVES;.*START REPLICA;/s,
      /`read_only` is ON for the whole run/,
      /key values at chunk boundaries/,
      /Ctrl-C/,
      /recover --hashfile/,
    ])
      expect(list).toMatch(topic);
  });
});
