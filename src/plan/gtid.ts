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
import type { Dialect, SessionSetting } from '../flavours/index.js';
import type { GtidPlacement } from '../model/settings.js';
import { gtidSetOf } from '../model/gtid-set.js';

/**
 * MySQL: every session tracks its own GTIDs (each commit's reply carries the GTID it got, so the run
 * knows exactly what it wrote); with a placement, the flush's domain or tag.
 */
export function gtidSessionSettings(s: { gtid?: GtidPlacement }, d: Dialect): SessionSetting[] {
  const track: SessionSetting[] =
    d.version.flavour === 'mysql'
      ? [
          {
            variable: 'session_track_gtids',
            value: 'OWN_GTID',
            privilege: 'none',
            why: "each commit's reply carries its GTID, so the run reports exactly the GTIDs it wrote",
          },
        ]
      : [];
  return [...track, ...placementSettings(s.gtid, d)];
}

function placementSettings(g: GtidPlacement | undefined, d: Dialect): SessionSetting[] {
  if (!g) return [];
  if (g.domainId !== undefined && d.version.flavour === 'mariadb') {
    return [
      {
        variable: 'gtid_domain_id',
        value: String(g.domainId),
        privilege: 'SUPER or BINLOG REPLAY',
        why: "the flush's transactions in their own GTID domain",
      },
    ];
  }
  if (g.tag !== undefined && d.version.flavour === 'mysql') {
    return [
      {
        variable: 'gtid_next',
        value: `'AUTOMATIC:${g.tag}'`,
        privilege: 'TRANSACTION_GTID_TAG and SYSTEM_VARIABLES_ADMIN (or SESSION_VARIABLES_ADMIN)',
        why: "the flush's GTIDs carry the tag",
      },
    ];
  }
  return [];
}

export interface GtidReport {
  /** What the flush wrote on this replica, in the flavour's notation ('' when nothing). */
  written: string;
  placement: string;
  /** What a DBA runs, and where, before this replica is promoted or another server replicates from it. */
  steps: Array<{ where: string; sql: string }>;
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
  const written = gtidSetOf(d.version.flavour, gtids);
  if (d.version.flavour === 'mysql') {
    return {
      written,
      placement: g?.tag ? `tagged ${g.tag}` : "untagged, under this replica's server_uuid",
      steps: written
        ? [
            {
              where:
                'on the primary and on every other replica, before this replica is promoted or any server replicates from it',
              sql: `SET GLOBAL gtid_purged = '+${written}';`,
            },
          ]
        : [],
    };
  }
  if (g?.domainId !== undefined) {
    return {
      written,
      placement: `GTID domain ${g.domainId}`,
      steps: [
        {
          where: 'on every replica pointed at this server (a re-point, or after promoting it)',
          sql: `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_DOMAIN_IDS = (${g.domainId}); START SLAVE;`,
        },
        {
          where: `on this server, once every consumer has read past ${self.endFile} (drops the domain; the files before are purged)`,
          sql: `FLUSH BINARY LOGS; PURGE BINARY LOGS TO '<the file after ${self.endFile}>'; FLUSH BINARY LOGS DELETE_DOMAIN_ID = (${g.domainId});`,
        },
      ],
    };
  }
  return {
    written,
    placement: "the server's own GTID domain, under this replica's server_id",
    steps: written
      ? [
          {
            where: `on every replica re-pointed at this server while it stays a replica (do not promote it: use ${self.domainInput ?? '--gtid-domain-id'} next time)`,
            sql: `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_SERVER_IDS = (${self.serverId}); START SLAVE;`,
          },
        ]
      : [],
  };
}
