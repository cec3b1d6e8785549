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
import type { GtidPlacement } from '../settings.js';

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

/* MySQL GTID sets: uuid[:tag]:a-b[:c-d...], comma separated. */

type Intervals = Array<[number, number]>;

/** `uuid` or `uuid:tag` (lower case) -> its intervals, sorted and merged. */
export function parseGtidSet(text: string): Map<string, Intervals> {
  const m = new Map<string, Intervals>();
  for (const part of text.replace(/\s+/g, '').split(',').filter(Boolean)) {
    const [uuid, ...rest] = part.toLowerCase().split(':');
    let tag = '';
    for (const piece of rest) {
      if (!/^\d/.test(piece)) {
        tag = piece;
        continue;
      }
      const [a, b] = piece.split('-').map(Number);
      const key = tag ? `${uuid}:${tag}` : uuid!;
      const list = m.get(key) ?? [];
      list.push([a!, b ?? a!]);
      m.set(key, list);
    }
  }
  for (const [k, list] of m) m.set(k, merge(list));
  return m;
}

function merge(list: Intervals): Intervals {
  const out: Intervals = [];
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/* MariaDB positions: domain-server-seq, comma separated, one per domain. */

export function parseMariaPosition(text: string): Map<number, { server: number; seq: number }> {
  const m = new Map<number, { server: number; seq: number }>();
  for (const part of text.replace(/\s+/g, '').split(',').filter(Boolean)) {
    const [d, srv, seq] = part.split('-').map(Number);
    m.set(d!, { server: srv!, seq: seq! });
  }
  return m;
}

/** A MySQL GTID set in MySQL's notation (tags after the untagged intervals of a uuid). */
function formatGtidSet(m: Map<string, Intervals>): string {
  const parts: string[] = [];
  for (const key of [...m.keys()].sort()) {
    const list = m.get(key)!;
    if (list.length) parts.push(`${key}:${list.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`);
  }
  return parts.join(',');
}

/** MariaDB GTIDs (`domain-server-seq`), one range per run of consecutive sequence numbers. */
function formatMariaGtids(gtids: string[]): string {
  const byOrigin = new Map<string, number[]>();
  for (const g of gtids) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(g.trim());
    if (!m) continue;
    const origin = `${m[1]}-${m[2]}`;
    byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), Number(m[3])]);
  }
  const parts: string[] = [];
  const order = [...byOrigin.keys()].sort((a, b) => {
    const [da, sa] = a.split('-').map(Number);
    const [db, sb] = b.split('-').map(Number);
    return da! - db! || sa! - sb!;
  });
  for (const origin of order) {
    const ranges = merge(byOrigin.get(origin)!.map((n) => [n, n] as [number, number]));
    for (const [a, b] of ranges) parts.push(a === b ? `${origin}-${a}` : `${origin}-${a}..${origin}-${b}`);
  }
  return parts.join(',');
}

/**
 * The exact set of the GTIDs a run's transactions got, in the flavour's notation: MySQL's
 * `uuid[:tag]:a-b`, MariaDB's `d-s-a..d-s-b` (only the sequence numbers it got: in a domain shared
 * with the source, the replica's own numbers interleave with the source's).
 */
export function gtidSetOf(flavour: 'mysql' | 'mariadb', gtids: string[]): string {
  if (flavour === 'mariadb') return formatMariaGtids(gtids);
  return formatGtidSet(parseGtidSet(gtids.join(',')));
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
