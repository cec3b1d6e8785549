/**
 * scripts/check-layers.mjs on small source trees of its own: the flavour checks it refuses outside
 * src/flavours, what it lets through, and an import up a layer.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'check-layers.mjs');
const roots: string[] = [];

function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'bf-layers-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
    writeFileSync(join(root, 'src', path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, join(root, 'src')], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('check-layers: flavour checks', () => {
  it('refuses each form of flavour check outside src/flavours, naming the file and line', () => {
    const r = check({
      'plan/a.ts': [
        "export const a = (v: { flavour: string }) => (v.flavour === 'mysql' ? 1 : 2);",
        "export const b = (flavour: string) => flavour !== 'mariadb';",
        "export const c = (d: { version: { flavour: string } }) => 'mariadb' == d.version.flavour;",
        'export function e(v: { flavour: string }) {',
        '  switch (v.flavour) {',
        '    default:',
        '      return 0;',
        '  }',
        '}',
        'export const f = (text: string) => /mariadb/i.test(text);',
      ].join('\n'),
    });
    expect(r.status).toBe(1);
    const lines = r.out.split('\n').filter((l) => l.includes('asks which flavour'));
    expect(lines.map((l) => /a\.ts:(\d+)/.exec(l)?.[1])).toEqual(['1', '2', '3', '5', '10']);
    expect(r.out).toMatch(/5 problem\(s\)/);
  });

  it('lets src/flavours compare flavours, and lets comments and lookups through elsewhere', () => {
    const r = check({
      'flavours/index.ts': "export const maria = (v: { flavour: string }) => v.flavour === 'mariadb';\n",
      'plan/a.ts': [
        "import { maria } from '../flavours/index.js';",
        "// never write v.flavour === 'mysql' here",
        'export const FACTS: Record<string, number> = { mysql: 1, mariadb: 2 };',
        'export const n = (v: { flavour: string }) => FACTS[v.flavour] ?? (maria(v) ? 1 : 0);',
        "export const flavours = ['mysql'];",
      ].join('\n'),
    });
    expect(r.out).toMatch(/no flavour check outside flavours/);
    expect(r.status).toBe(0);
  });

  it('still refuses an import up a layer', () => {
    const r = check({
      'model/a.ts': "import { b } from '../plan/b.js';\nexport const a = b;\n",
      'plan/b.ts': 'export const b = 1;\n',
    });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/model\/a\.ts imports .*plan\/b\.ts: model \(layer 0\) is below plan/);
  });
});
