/**
 * What counts a run's writes (the settle, resume, recover's account, the exact GTID set) counts only
 * the run's own events: a transaction replicated into the replica's binlog under the same table name
 * (as the applier running between windows will write) is not ours, on a real server.
 */
import { describe, expect, inject, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { binlogPosition, committedStatements, gtidsOfTables } from '../../src/inspect/binlog.js';
import { ourEvents } from '../../src/inspect/our-events.js';
import { readRange } from '../../src/verify/reader.js';
import { readServer } from '../../src/inspect/server.js';
import { settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';

const sb = inject('sandbox')!;
const S = 'bf_ours';

describe('our events', () => {
  it("counts the run's own statements on a table and none of those replicated to it", async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; CREATE TABLE ${S}.t (id INT PRIMARY KEY)`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    const db = await connect(settingsFor(sb.replica), 30);
    try {
      const facts = await readServer(db);
      const d = facts.dialect;
      const from = await binlogPosition(db, d);
      // Two transactions replicated from the primary, then three of this server's own sessions.
      await withSql(sb.primary, (c) =>
        c.query(`INSERT INTO ${S}.t VALUES (1); INSERT INTO ${S}.t VALUES (2)`),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      await withSql(sb.replica, (c) =>
        c.query(
          `INSERT INTO ${S}.t VALUES (11); INSERT INTO ${S}.t VALUES (12); INSERT INTO ${S}.t VALUES (13)`,
        ),
      );
      const until = await binlogPosition(db, d);
      const ours = ourEvents(facts.serverId);
      expect(await committedStatements(db, from, S, 't', ours, until)).toBe(3);
      // The same range, counted as if the primary's events were ours: all five are on that name.
      const primaryId = await withSql(sb.primary, async (c) => {
        const [r] = await c.query('SELECT @@server_id AS id');
        return Number((r as { id: number }[])[0]!.id);
      });
      expect(await committedStatements(db, from, S, 't', ourEvents(primaryId), until)).toBe(2);
      // The transactions found on the table are this server's three (the sandboxes run with GTIDs).
      const gtids = await gtidsOfTables(db, from, [{ schema: S, table: 't' }], ours);
      expect(gtids).toHaveLength(3);
      // Verify's reader marks the primary's two transactions as replicated, and only those.
      const events = await readRange(settingsFor(sb.replica), from, until, 30, {
        ours: { ...ours, serverUuid: facts.serverUuid },
      });
      const inserts = events.filter((e) => e.kind === 'rows' && e.table === 't');
      expect(inserts.map((e) => e.replicated ?? false)).toEqual([true, true, false, false, false]);
    } finally {
      await db.close();
      await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
      await waitCaughtUp(sb.primary, sb.replica);
    }
  });
});
