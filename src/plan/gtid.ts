/**
 * Where the flush's transactions land in the GTID history, and what a DBA runs so that no other
 * server ever applies them. Pure: decided from the settings, the dialect and the GTIDs the run's
 * transactions got.
 *
 * - MariaDB: with `--gtid-domain-id N` every flush transaction is N-<server_id>-<seq>, a domain no
 *   source writes; replicas re-pointed at this server skip it with IGNORE_DOMAIN_IDS=(N).
 * - MySQL 8.3+: with `--gtid-tag T` they are <uuid>:T:<n>. Tagged or not they are this replica's own
 *   GTIDs: the other servers mark them executed (gtid_purged '+set') before any of them replicates
 *   from this one.
 */
import type { Dialect, GtidAdvice, SessionSetting } from '../flavours/index.js';
import type { GtidPlacement } from '../model/settings.js';

/**
 * Every session's own GTIDs: MySQL's session tracker (each commit's reply carries the GTID it got,
 * so the run knows exactly what it wrote; MariaDB reads @@last_gtid instead); with a placement, the
 * flush's domain or tag.
 */
export function gtidSessionSettings(s: { gtid?: GtidPlacement }, d: Dialect): SessionSetting[] {
  const track = 'tracker' in d.ownGtids ? [d.ownGtids.tracker] : [];
  return [...track, ...placementSettings(s.gtid, d)];
}

function placementSettings(g: GtidPlacement | undefined, d: Dialect): SessionSetting[] {
  if (!g) return [];
  if (g.domainId !== undefined && d.gtidDomains) return [d.gtidDomains.session(g.domainId)];
  if (g.tag !== undefined && d.gtidTagging) return [d.gtidTagging.session(g.tag)];
  return [];
}

export interface GtidReport extends GtidAdvice {
  /** What the flush wrote on this replica, in the flavour's notation ('' when nothing). */
  written: string;
}

/**
 * `gtids`: every GTID the run's transactions got (as its sessions read them, or the binlog showed
 * them); `self.domainInput`: what the user calls the GTID domain input.
 */
export function gtidReport(
  d: Dialect,
  g: GtidPlacement | undefined,
  gtids: string[],
  self: { serverId: number; endFile: string; domainInput?: string },
): GtidReport {
  const written = d.gtidSetOf(gtids);
  return { written, ...d.gtidAdvice(g, written, self) };
}
