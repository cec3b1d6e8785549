import { describe, expect, it } from 'vitest';
import { journalHeader } from '../../src/engine/flush.js';
import { dialectFor, parseVersion } from '../../src/db/dialect.js';
import { DEFAULTS, type FlushSettings } from '../../src/settings.js';

const SECRET = 'Pw-in-settings-4b1d';

const settings: FlushSettings = {
  connection: {
    host: 'db1',
    port: 3306,
    user: 'flusher',
    password: SECRET,
    ssl: { mode: 'VERIFY_CA', ca: '/etc/ca.pem' },
  },
  selection: { databases: ['shop'], tables: [{ schema: 'shop', table: 'orders' }], skip: [] },
  replication: { stopReplica: true, startReplica: false },
  concurrency: 4,
  chunkSize: 1000,
  ddl: 'create',
  hashfile: '/tmp/j',
  dryRun: false,
  allowPrimary: false,
  allowDownstream: false,
  rotateBinlog: false,
  timeout: 600,
  lockWait: DEFAULTS.lockWait,
  setReadOnly: true,
  allowWriters: false,
  stopOnError: false,
};

describe('journal header', () => {
  it('records the run and its options, and never the password it was given', () => {
    const h = journalHeader(
      settings,
      {
        dialect: dialectFor(parseVersion('10.11.19-MariaDB')),
        serverId: 2,
        serverUuid: '',
        hostname: 'r1',
        logBin: true,
        readOnly: false,
        superReadOnly: false,
        gtidOn: false,
      },
      { host: 'db1', startedAt: 't', runTag: '0a1b2c3d', tool: '0.1.0' },
    );
    expect(h).toMatchObject({ host: 'db1', port: 3306, serverId: 2, runTag: '0a1b2c3d' });
    expect(h.options).toMatchObject({ databases: ['shop'], chunkSize: 1000 });
    const text = JSON.stringify(h);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/password|flusher@/i);
  });
});
