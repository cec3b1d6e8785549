/**
 * Each option-file case (test/support/option-file-cases.ts) against the flavour's own reader,
 * `my_print_defaults --defaults-file=my.cnf` with the groups binlog-flusher reads: where we read
 * the file, the clients read exactly the same; where we refuse it, the clients do what the case
 * records (they refuse it too, or warn and go on, or read what no one means).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MYCNF_GROUPS, readMyCnf } from '../../src/config/mycnf.js';
import { OptionFileError } from '../../src/config/option-file.js';
import { readOptionFiles } from '../../src/config/option-reader.js';
import {
  OPTION_FILE_CASES,
  printed,
  removeCase,
  writeCase,
  type ClientsRead,
} from '../support/option-file-cases.js';
import { printDefaults } from '../support/print-defaults.js';

const reader = printDefaults();
const why = typeof reader === 'string' ? reader : '';
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeCase));

function clientsFor(c: (typeof OPTION_FILE_CASES)[number], kind: string): ClientsRead {
  if (c.clients === undefined) return c.reads as string[];
  if (Array.isArray(c.clients) || c.clients === 'fails') return c.clients;
  const per = c.clients[kind as keyof typeof c.clients];
  if (per === undefined) throw new Error(`case "${c.name}" records nothing for ${kind}`);
  return per;
}

describe.skipIf(why !== '')(
  `option files read as my_print_defaults reads them ${why ? `(skipped: ${why})` : ''}`,
  () => {
    it.each(OPTION_FILE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      if (typeof reader === 'string') throw new Error(reader);
      // Ours, from a copy on the host (a chroot flavour's copy names paths inside its root).
      const mine = writeCase(c, tmpdir(), (p) => p);
      dirs.push(mine);
      const file = join(mine, 'my.cnf');
      const cwd = join(mine, c.cwd ?? '.');
      if (c.reads instanceof RegExp) {
        expect(() => readOptionFiles(file, cwd)).toThrow(OptionFileError);
        expect(() => readOptionFiles(file, cwd)).toThrow(c.reads);
      } else {
        expect(printed(readOptionFiles(file, cwd).options, MYCNF_GROUPS)).toEqual(c.reads);
      }
      // Theirs.
      const dir = writeCase(c, reader.parent, reader.inside);
      dirs.push(dir);
      const r = reader.run(join(dir, 'my.cnf'), MYCNF_GROUPS, join(dir, c.cwd ?? '.'));
      const want = clientsFor(c, reader.kind);
      if (want === 'fails') {
        expect(r.status, r.stdout.toString('latin1')).not.toBe(0);
      } else {
        expect(r.status, r.stderr).toBe(0);
        const bytes = want.map((l) =>
          Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]),
        );
        expect(r.stdout.toString('latin1')).toEqual(Buffer.concat(bytes).toString('latin1'));
      }
    });
  },
);

/**
 * Names that only MariaDB's clients read as one of ours: in another case, or cut short. We refuse
 * them (mycnf.ts); here the flavour's own command-line client shows what it makes of them.
 */
const NEAR_MISSES: { name: string; text: string; variable: string; mysql: string; mariadb: string }[] = [
  {
    name: 'an option name in another case',
    text: '[client]\nUser=cased\n',
    variable: 'user',
    mysql: '(No default value)',
    mariadb: 'cased',
  },
  {
    name: 'an option name cut short',
    text: '[client]\nsocke=/x/y.sock\n',
    variable: 'socket',
    mysql: '(No default value)',
    mariadb: '/x/y.sock',
  },
];

describe.skipIf(why !== '')(`names the clients read differently ${why ? `(skipped: ${why})` : ''}`, () => {
  it.each(NEAR_MISSES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (typeof reader === 'string') throw new Error(reader);
    const mine = writeCase({ name: c.name, files: { 'my.cnf': c.text }, reads: [] }, tmpdir(), (p) => p);
    dirs.push(mine);
    expect(() => readMyCnf(join(mine, 'my.cnf'))).toThrow(
      new RegExp(`my\\.cnf line 2: \\[client\\] ${c.text.split('\n')[1]!.split('=')[0]}`),
    );
    const dir = writeCase(
      { name: c.name, files: { 'my.cnf': c.text }, reads: [] },
      reader.parent,
      reader.inside,
    );
    dirs.push(dir);
    const vars = reader.clientVariables(join(dir, 'my.cnf'));
    if (typeof vars === 'string') throw new Error(vars);
    expect(vars.get(c.variable)).toBe(reader.kind === 'mysql' ? c.mysql : c.mariadb);
  });
});
