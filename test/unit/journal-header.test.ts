import { describe, expect, it } from 'vitest';
import { journalHeader } from '../../src/engine/flush.js';
import { dialectFor, parseVersion } from '../../src/flavours/index.js';
import { flushSettings } from '../support/flusher.js';
import type { ServerInfo } from '../sandbox/types.js';

const SECRET = 'Pw-in-settings-4b1d';

const server: ServerInfo = {
  name: 'replica',
  host: 'db1',
  port: 3306,
  user: 'flusher',
  password: SECRET,
  flavour: 'mariadb',
};
const settings = flushSettings(server, {
  selection: { databases: ['shop'], tables: [{ schema: 'shop', table: 'orders' }], skip: [] },
  chunkSize: 1000,
});

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
