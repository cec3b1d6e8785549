/**
 * GTID sets as text, in the two notations servers use: `uuid[:tag]:a-b` sets (MySQL) and
 * `domain-server-seq` positions (MariaDB), parsed and written back. Pure; which notation a server
 * uses is its flavour's answer (src/flavours: `gtidSetOf`).
 */

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

/** A uuid GTID set in MySQL's notation (tags after the untagged intervals of a uuid). */
function formatGtidSet(m: Map<string, Intervals>): string {
  const parts: string[] = [];
  for (const key of [...m.keys()].sort()) {
    const list = m.get(key)!;
    if (list.length) parts.push(`${key}:${list.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`);
  }
  return parts.join(',');
}

/** MariaDB GTIDs (`domain-server-seq`), one range per run of consecutive sequence numbers. */
export function formatMariaGtids(gtids: string[]): string {
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

/** Uuid GTIDs (`uuid[:tag]:n`) as one set: `uuid[:tag]:a-b`. */
export function formatUuidGtids(gtids: string[]): string {
  return formatGtidSet(parseGtidSet(gtids.join(',')));
}
