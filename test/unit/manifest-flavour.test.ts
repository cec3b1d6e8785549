/** The manifest's GTID set is written in the notation of the flavour the journal's header names. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JOURNAL_FORMAT,
  JOURNAL_KIND,
  JournalWriter,
  readJournal,
  type JournalHeader,
} from '../../src/journal/journal.js';
import { buildManifest } from '../../src/journal/manifest.js';
import { backupName, twinName } from '../../src/model/table-names.js';
import { tempDir } from '../support/temp.js';

const header: JournalHeader = {
  type: 'header',
  kind: JOURNAL_KIND,
  format: JOURNAL_FORMAT,
  tool: 'test',
  host: 'db1',
  port: 3306,
  serverId: 2,
  serverUuid: '',
  // A version text that names no flavour (a vendor build that rewrote it).
  serverVersion: '10.11.19',
  startedAt: '2026-01-01T00:00:00Z',
  runTag: '0a1b2c3d',
  options: {},
};

async function manifestGtids(h: JournalHeader): Promise<string | undefined> {
  const path = join(tempDir('bf-manifest-flavour-'), 'j.hashfile');
  const w = await JournalWriter.create(path, [
    h,
    {
      type: 'plan',
      marker: 'm',
      tables: [
        { id: 1, schema: 's', table: 'a', backup: backupName('0a1b2c3d', 1), twin: twinName('0a1b2c3d', 1) },
      ],
    },
  ]);
  await w.write({ type: 'chunk', id: 1, chunk: 1, rows: 2, at: 't', gtids: ['0-2-1', '0-2-2'] });
  await w.close();
  return buildManifest(readJournal(path)).gtids;
}

describe('manifest: GTID notation from the journal header', () => {
  it("the header's flavour decides, whatever the version text says", async () => {
    expect(await manifestGtids({ ...header, flavour: 'mariadb' })).toBe('0-2-1..0-2-2');
  });
  it('a header without one (older journals): the version text decides', async () => {
    // '10.11.19' names no flavour: read as MySQL, whose notation reads no GTID in 0-2-n (no set).
    expect(await manifestGtids(header)).toBeUndefined();
    expect(await manifestGtids({ ...header, serverVersion: '10.11.19-MariaDB' })).toBe('0-2-1..0-2-2');
  });
});
