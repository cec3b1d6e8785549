/**
 * Issue 17, finding 8: each subcommand lists exactly its own flags, described for what it does with
 * them (`recover --help` and `verify --help` listed --db, --stop-slave and "the replica to flush").
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { tempDir } from '../support/temp.js';

async function help(cmd: string): Promise<string> {
  let out = '';
  const code = await runCli([cmd, '--help'], { env: {}, stdout: (t) => (out += t), stderr: () => undefined });
  expect(code).toBe(0);
  return out;
}

/** The help text on one line (commander wraps descriptions). */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The long flags a help text lists (with or without a short form), --help aside. */
const flags = (text: string) =>
  [...text.matchAll(/^\s+(?:-[A-Za-z], )?(--[a-z-]+)/gm)]
    .map((m) => m[1])
    .filter((f) => f !== '--help')
    .sort();

const CONNECTION = ['--host', '--port', '--user', '--socket', '--mycnf', '--ssl-mode', '--ssl-ca'];
const SWITCHES = [
  '--stop-slave',
  '--no-stop-slave',
  '--start-slave',
  '--no-start-slave',
  '--stop-replica',
  '--no-stop-replica',
  '--start-replica',
  '--no-start-replica',
];

describe('each subcommand its own flags and help', () => {
  it('verify: the connection, the journal, counts only, the read timeout; nothing of a flush', async () => {
    const text = await help('verify');
    expect(flags(text)).toEqual(
      [...CONNECTION, '--hashfile', '--counts-only', '--timeout', '--json', '--verbose'].sort(),
    );
    expect(flat(text)).toMatch(/--host <host> the server the flush ran on, whose binlog is read/);
    expect(flat(text)).toMatch(/--timeout <seconds> seconds to wait for the next binlog event/);
    expect(flat(text)).not.toMatch(/replica to flush/);
  });

  it('recover: the journal, what to put back, the applier; nothing of a flush', async () => {
    const text = await help('recover');
    expect(flags(text)).toEqual(
      [
        ...CONNECTION,
        '--hashfile',
        '--db',
        '--table',
        '--skip',
        ...SWITCHES,
        '--timeout',
        '--lock-wait',
        '--dry-run',
        '--json',
        '--verbose',
      ].sort(),
    );
    expect(flat(text)).toMatch(/--host <host> the server the flush ran on/);
    expect(flat(text)).toMatch(
      /--db <list> put back only the journal's tables of these schemas; for an original-tool hashfile/,
    );
    expect(flat(text)).toMatch(/--stop-slave stop a running replica applier before putting tables back/);
    expect(flat(text)).toMatch(/writes the manifest next to it/);
    expect(flat(text)).not.toMatch(/replica to flush/);
  });

  it("flush: everything a flush takes, --resume with the earlier run's selection and settings", async () => {
    const text = await help('flush');
    expect(flat(text)).toMatch(/--host <host> the replica to flush/);
    for (const f of ['--db', '--concurrency', '--max-load', '--pause-file', '--gtid-domain-id', '--dry-run'])
      expect(flags(text)).toContain(f);
    expect(flat(text)).toMatch(/--resume <hashfile>.*with that run's selection and settings/);
  });
});

describe("the MySQL client's short flags (issue 25, finding 1)", () => {
  it.each(['flush', 'recover', 'verify'])(
    '%s: -h -P -u -S are host, port, user and socket; help is --help alone',
    async (cmd) => {
      const text = await help(cmd);
      for (const short of [
        '-h, --host <host>',
        '-P, --port <port>',
        '-u, --user <user>',
        '-S, --socket <path>',
      ])
        expect(text).toContain(short);
      expect(flat(text)).toMatch(/^.* --help display help for command/);
      expect(text).not.toMatch(/-h, --help/);
    },
  );
});

describe('the CLI as one file on a database host (the README install)', () => {
  it('dist/cli/index.js, copied alone as binlog-flusher.mjs, runs with no node_modules beside it', () => {
    const dir = tempDir('bf-install-');
    copyFileSync(
      join(import.meta.dirname, '..', '..', 'dist', 'cli', 'index.js'),
      join(dir, 'binlog-flusher.mjs'),
    );
    const out = execFileSync(process.execPath, [join(dir, 'binlog-flusher.mjs'), 'recover', '--help'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(out).toMatch(/^Usage: binlog-flusher recover \[options\]/);
  });
});
