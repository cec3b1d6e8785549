/**
 * Issue 27: a flush in windows stops the applier alone (the SQL thread of every channel), the
 * receiver fetching on, and starts it again; the dialect's statements do that on each flavour, and
 * the lag reads as unknown (never 0) while the applier is stopped.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { readServer } from '../../src/inspect/server.js';
import { replicaStatus } from '../../src/inspect/replication.js';
import { readLag } from '../../src/inspect/lag.js';
import { settingsFor, startReplica, waitCaughtUp } from '../support/db.js';

const sb = inject('sandbox')!;

describe('the applier alone, stopped and started', () => {
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('stops the SQL thread only, reads the lag as unknown, starts it again', async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await waitCaughtUp(sb.primary, sb.replica);
    const db = await connect(settingsFor(sb.replica));
    try {
      const d = (await readServer(db)).dialect;
      expect(await replicaStatus(db, d)).toMatchObject({ sqlRunning: true, ioRunning: true });
      expect(await readLag(db, d, { kind: 'status' })).toMatchObject({ kind: 'seconds' });
      await db.exec(d.stopApplierOnly);
      expect(await replicaStatus(db, d)).toMatchObject({ sqlRunning: false, ioRunning: true });
      expect(await readLag(db, d, { kind: 'status' })).toMatchObject({ kind: 'unknown' });
      await db.exec(d.startApplierOnly);
      expect(await replicaStatus(db, d)).toMatchObject({ sqlRunning: true, ioRunning: true });
    } finally {
      await db.close();
    }
  });
});
