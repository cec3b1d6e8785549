/**
 * The GTIDs a run's transactions got, as each session read them right after its commit (MariaDB:
 * `@@last_gtid`; MySQL: the session tracker in the commit's reply). Not a difference of two global
 * positions: in a GTID domain the replica shares with its source, the replica's own sequence numbers
 * interleave with the source's, and a global position also moves for anyone else's writes.
 *
 * A binlogged statement whose reply was lost may still have committed: its GTID is then unknown
 * here, and the run reads it from the binlog before it reports (see `gtidsOfTables`).
 */
import type { Db } from '../db/connection.js';
import { errorText } from '../model/errors.js';
import { gtidsOfTables } from '../inspect/binlog.js';
import type { OurEvents } from '../inspect/our-events.js';

/** Where the Writer reports each binlogged statement's outcome. */
export interface GtidSink {
  /** A binlogged statement of the table with this id committed and got this GTID. */
  committed(tableId: number, gtid: string): void;
  /** A binlogged statement's outcome is unknown (it may have committed). */
  inDoubt(): void;
}

export class RunGtids implements GtidSink {
  private readonly all = new Set<string>();
  /** Per table, the GTIDs not yet in the journal. */
  private readonly pending = new Map<number, string[]>();
  private doubt = 0;

  committed(tableId: number, gtid: string): void {
    if (this.all.has(gtid)) return;
    this.all.add(gtid);
    this.pending.set(tableId, [...(this.pending.get(tableId) ?? []), gtid]);
  }

  inDoubt(): void {
    this.doubt += 1;
  }

  /** Statements whose GTID is not known: the binlog must be read for the exact set. */
  get unknown(): number {
    return this.doubt;
  }

  /** The table's GTIDs not journaled yet, once (undefined when none). */
  take(tableId: number): string[] | undefined {
    const got = this.pending.get(tableId);
    this.pending.delete(tableId);
    return got?.length ? got : undefined;
  }

  /** Every table's GTIDs not journaled yet, once. */
  takeAll(): string[] | undefined {
    const got = [...this.pending.values()].flat();
    this.pending.clear();
    return got.length ? got : undefined;
  }

  /** Every GTID read so far. */
  written(): string[] {
    return [...this.all];
  }
}

/**
 * The run's exact GTIDs: what its sessions read, and when one could not say, what the binlog holds
 * since the run's start for the run's tables. `unread`: why the binlog could not be read then (the
 * set holds only what the sessions read, and says so).
 */
export async function exactGtids(
  db: Db,
  gtids: RunGtids,
  from: { file: string; position: number },
  tables: { schema: string; table: string }[],
  ours: OurEvents,
): Promise<{ gtids: string[]; unread?: string }> {
  if (gtids.unknown === 0) return { gtids: gtids.written() };
  try {
    return { gtids: [...new Set([...gtids.written(), ...(await gtidsOfTables(db, from, tables, ours))])] };
  } catch (e) {
    return {
      gtids: gtids.written(),
      unread: `the GTIDs of ${gtids.unknown} statement(s) whose reply was lost could not be read from the binlog (${errorText(e)}); the set below may miss them`,
    };
  }
}
