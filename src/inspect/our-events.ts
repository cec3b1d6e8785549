/**
 * Which binlog events are the run's own. Everything that counts what a run wrote (the settle of a
 * chunk in doubt, the resume of a part-copied table, recover's account) asks this one predicate, so
 * the rule is written once: an event is ours when this server wrote it (its Server_id is the
 * replica's own: a replicated transaction keeps its origin's) and, where the run placed its GTIDs in a
 * domain (MariaDB) or under a tag (MySQL 8.3+), its transaction's GTID is in that placement. With the
 * applier stopped and read_only on, only our sessions write under a flushed table's name on this
 * server; once the applier may run between windows, its events carry the primary's server_id.
 */

/** What tells the run's events from the rest, read from the server (and the journal) once. */
export interface OurEvents {
  /** The replica's @@server_id. */
  serverId: number;
  /** The replica's @@server_uuid (MySQL; a GTID of another uuid is another server's). */
  serverUuid?: string;
  /** The run's GTID domain (MariaDB, `--gtid-domain-id`), where it set one. */
  gtidDomain?: number;
  /** The run's GTID tag (MySQL 8.3+, `--gtid-tag`), where it set one. */
  gtidTag?: string;
}

/** One row of SHOW BINLOG EVENTS, as far as the predicate reads it. */
export interface BinlogEventRow {
  Server_id?: unknown;
  Event_type?: unknown;
  Info?: unknown;
}

/** Whether this server wrote the event (not a transaction replicated into its binlog). */
export function writtenHere(e: BinlogEventRow, ours: OurEvents): boolean {
  return Number(e.Server_id) === ours.serverId;
}

/**
 * Whether a transaction's GTID is in the run's placement: a MariaDB `domain-server-seq` of our domain
 * and server, a MySQL `uuid[:tag]:n` of our server_uuid (where known) with our tag. Without a placement every GTID of this server is.
 * An unknown GTID (MySQL's anonymous transactions have none) leaves the decision to the server id.
 */
export function inOurPlacement(gtid: string | undefined, ours: OurEvents): boolean {
  if (gtid === undefined) return true;
  const maria = /^(\d+)-(\d+)-\d+$/.exec(gtid);
  if (maria) {
    if (Number(maria[2]) !== ours.serverId) return false;
    return ours.gtidDomain === undefined || Number(maria[1]) === ours.gtidDomain;
  }
  const mysql = /^([0-9a-f-]{36})(?::([A-Za-z_][A-Za-z0-9_]*))?:\d+$/i.exec(gtid);
  if (!mysql) return true;
  if (ours.serverUuid && mysql[1]!.toLowerCase() !== ours.serverUuid.toLowerCase()) return false;
  return ours.gtidTag === undefined || mysql[2] === ours.gtidTag;
}

/** Whether the event, in the transaction of `gtid` (its GTID event's, where it had one), is ours. */
export function isOurEvent(e: BinlogEventRow, gtid: string | undefined, ours: OurEvents): boolean {
  return writtenHere(e, ours) && inOurPlacement(gtid, ours);
}

/** The run's own events on a server of `serverId`, with the run's GTID placement (if any). */
export function ourEvents(
  serverId: number,
  gtid?: { domainId?: number; tag?: string } | null,
  serverUuid?: string,
): OurEvents {
  return {
    serverId,
    ...(serverUuid && { serverUuid }),
    ...(gtid?.domainId !== undefined && { gtidDomain: gtid.domainId }),
    ...(gtid?.tag !== undefined && { gtidTag: gtid.tag }),
  };
}

/**
 * An earlier run's own events, as its journal header tells them (its server and its options). A
 * journal without a header cannot tell them: that is an error, never a guess.
 */
export function ourEventsOfJournal(
  h: { serverId: number; serverUuid?: string; options?: Record<string, unknown> } | undefined,
): OurEvents {
  if (!h)
    throw new Error("the journal has no header, so which binlog events are the run's own cannot be told");
  const g = h.options?.gtid;
  const placement = g && typeof g === 'object' ? (g as { domainId?: unknown; tag?: unknown }) : undefined;
  return ourEvents(
    h.serverId,
    {
      ...(typeof placement?.domainId === 'number' && { domainId: placement.domainId }),
      ...(typeof placement?.tag === 'string' && { tag: placement.tag }),
    },
    h.serverUuid,
  );
}
