/**
 * Where the flush's transactions land in the GTID history, and what a DBA runs so that no other
 * server ever applies them. Pure: decided from the settings, the dialect and positions read before.
 *
 * - MariaDB: with `--gtid-domain-id N` every flush transaction is N-<server_id>-<seq>, a domain no
 *   source writes; replicas re-pointed at this server skip it with IGNORE_DOMAIN_IDS=(N).
 * - MySQL 8.3+: with `--gtid-tag T` they are <uuid>:T:<n>. Tagged or not they are this replica's own
 *   GTIDs: the other servers mark them executed (gtid_purged '+set') before any of them replicates
 *   from this one.
 */
import type { Dialect, SessionSetting } from '../flavours/index.js';
import type { GtidPlacement } from '../settings.js';

export function gtidSessionSettings(s: { gtid?: GtidPlacement }, d: Dialect): SessionSetting[] {
  const g = s.gtid;
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

function minus(a: Intervals, b: Intervals): Intervals {
  let out = a.map(([x, y]) => [x, y] as [number, number]);
  for (const [c, d] of b) {
    const next: Intervals = [];
    for (const [x, y] of out) {
      if (d < x || c > y) next.push([x, y]);
      else {
        if (c > x) next.push([x, c - 1]);
        if (d < y) next.push([d + 1, y]);
      }
    }
    out = next;
  }
  return out;
}

/** `end` minus `start`, as MySQL prints a set (tags after the untagged intervals of a uuid). */
export function subtractGtidSets(end: string, start: string): string {
  const e = parseGtidSet(end);
  const s = parseGtidSet(start);
  const parts: string[] = [];
  for (const key of [...e.keys()].sort()) {
    const left = minus(e.get(key)!, s.get(key) ?? []);
    if (!left.length) continue;
    parts.push(`${key}:${left.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`);
  }
  return parts.join(',');
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

/** The GTIDs a MariaDB flush wrote: per domain whose position moved, `d-s-first..d-s-last`. */
export function mariaFlushedRange(start: string, end: string): string {
  const s = parseMariaPosition(start);
  const parts: string[] = [];
  for (const [d, e] of parseMariaPosition(end)) {
    const before = s.get(d);
    if (before && before.seq === e.seq && before.server === e.server) continue;
    const first = (before?.seq ?? 0) + 1;
    parts.push(
      first === e.seq ? `${d}-${e.server}-${e.seq}` : `${d}-${e.server}-${first}..${d}-${e.server}-${e.seq}`,
    );
  }
  return parts.join(',');
}

export interface GtidReport {
  /** What the flush wrote on this replica, in the flavour's notation ('' when nothing). */
  written: string;
  placement: string;
  /** What a DBA runs, and where, before this replica is promoted or another server replicates from it. */
  steps: Array<{ where: string; sql: string }>;
}

export function gtidReport(
  d: Dialect,
  g: GtidPlacement | undefined,
  start: string,
  end: string,
  self: { serverId: number; endFile: string },
): GtidReport {
  if (d.version.flavour === 'mysql') {
    const written = subtractGtidSets(end, start);
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
  const written = mariaFlushedRange(start, end);
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
            where:
              'on every replica re-pointed at this server while it stays a replica (do not promote it: use --gtid-domain-id next time)',
            sql: `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_SERVER_IDS = (${self.serverId}); START SLAVE;`,
          },
        ]
      : [],
  };
}
