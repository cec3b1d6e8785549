import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/model/log.js';
import { verify } from '../../src/verify/verify.js';
import { tempDir } from '../support/temp.js';

/** A journal with a header and a plan but no binlog range (the run ended before its coordinates). */
function journalWithoutRange(): string {
  const path = join(tempDir('bf-vin-'), 'run.hashfile');
  const header = {
    type: 'header',
    kind: 'binlog-flusher-journal',
    format: 2,
    tool: '0.1.0',
    host: 'h',
    port: 3306,
    serverId: 2,
    serverUuid: '',
    serverVersion: '11.8.3-MariaDB',
    startedAt: '2026-11-29T00:00:00.000Z',
    runTag: 'abcd1234',
    options: {},
  };
  writeFileSync(
    path,
    `${JSON.stringify(header)}\n${JSON.stringify({ type: 'plan', marker: 'm', tables: [] })}\n`,
  );
  return path;
}

const settings = (surface: 'cli' | 'action', hashfile: string) => ({
  connection: { host: '127.0.0.1', port: 1, user: 'u', surface },
  hashfile,
  timeout: 5,
});

describe('verify names the journal as the surface that received it calls it', () => {
  it('--hashfile on the command line, hashfile in the action; before any connection', async () => {
    const j = journalWithoutRange();
    await expect(verify(settings('cli', j) as never, memoryLogger())).rejects.toThrow(
      new RegExp(`^--hashfile: ${j} has no binlog range`),
    );
    await expect(verify(settings('action', j) as never, memoryLogger())).rejects.toThrow(
      new RegExp(`^hashfile: ${j} has no binlog range`),
    );
    await expect(verify(settings('action', `${j}.none`) as never, memoryLogger())).rejects.toThrow(
      /^hashfile: /,
    );
  });
});
