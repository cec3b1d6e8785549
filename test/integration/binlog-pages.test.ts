/**
 * The binlog is read a page at a time (SHOW BINLOG EVENTS ... LIMIT n, each page from where the last
 * one ended): a recover, a resume or a settle never holds a GiB binlog file in memory. Here, on a real
 * server, small pages give exactly the events one read gives.
 */
import { describe, expect, inject, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { eventsOf } from '../../src/inspect/binlog.js';
import { binaryLogs } from '../../src/sql/reads.js';
import { settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';

const sb = inject('sandbox')!;

describe('the binlog read a page at a time', () => {
  it('pages of 7 events give the very events of one read, from a file start and from a position', async () => {
    // Some events to read: a few small transactions, replicated into the replica's binlog.
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`CREATE DATABASE IF NOT EXISTS bf_pages; CREATE TABLE IF NOT EXISTS bf_pages.t (id INT PRIMARY KEY);
               REPLACE INTO bf_pages.t VALUES (1); REPLACE INTO bf_pages.t VALUES (2); REPLACE INTO bf_pages.t VALUES (3);
               DROP DATABASE bf_pages;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    const db = await connect(settingsFor(sb.replica), 30);
    try {
      const files = (await db.rows(...binaryLogs())).map((r) => String(r.Log_name));
      const file = files[files.length - 1]!;
      const all = async (from: number | undefined, page: number) => {
        const out: unknown[] = [];
        for await (const e of eventsOf(db, file, from, page)) out.push(e);
        return out;
      };
      const whole = await all(undefined, 1_000_000_000);
      expect(whole.length).toBeGreaterThan(20);
      expect(await all(undefined, 7)).toEqual(whole);
      const mid = whole[11] as { Pos: number };
      const fromMid = await all(Number(mid.Pos), 1_000_000_000);
      expect(fromMid[0]).toEqual(mid);
      expect(await all(Number(mid.Pos), 7)).toEqual(fromMid);
    } finally {
      await db.close();
    }
  });
});
