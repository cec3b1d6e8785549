/**
 * Row events read over the replication protocol (zongji, the reader `verify` uses), for what the
 * server's own text reader cannot decode: MySQL 9.7's mysqlbinlog prints "Don't know how to handle
 * column type=255" for a geometry column and leaves out the rest of that row event.
 */
import ZongJi from '@vlasky/zongji';
import { randomInt } from 'node:crypto';
import type { ServerInfo } from '../sandbox/types.js';
import type { Position } from './binlog.js';

interface ZEvent {
  getEventName(): string;
  nextPosition: number;
  binlogName?: string;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string }>;
  rows?: Record<string, unknown>[];
}

const quote = (n: string) => '`' + n.replaceAll('`', '``') + '`';

function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Each inserted row's values (canonical text), by `schema`.`table`, between two positions. */
export async function insertedRows(
  server: ServerInfo,
  start: Position,
  end: Position,
): Promise<Map<string, string[][]>> {
  const out = new Map<string, string[][]>();
  const z = new ZongJi({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
  });
  let file = start.file;
  let held: ZEvent[] = [];
  const after = (a: Position, b: Position) => (a.file === b.file ? a.position > b.position : a.file > b.file);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no binlog event reached ${end.file}:${end.position}`)),
      30_000,
    );
    const done = (e?: Error) => {
      clearTimeout(timer);
      z.stop();
      if (e) reject(e);
      else resolve();
    };
    z.on('error', (e: unknown) => done(e as Error));
    z.on('binlog', (raw: unknown) => {
      const e = raw as ZEvent;
      if (e.getEventName() === 'rotate') {
        file = e.binlogName ?? file;
        return;
      }
      // Events inside a transaction may have no position of their own (MariaDB 11.4+): its commit has.
      if (!e.nextPosition) {
        if (e.getEventName() === 'writerows') held.push(e);
        return;
      }
      const at = { file, position: e.nextPosition };
      if (after(at, end)) return done();
      for (const x of [...held, e].filter((x) => x.getEventName() === 'writerows')) {
        const t = x.tableMap?.[x.tableId!];
        const name = t ? `${quote(t.parentSchema)}.${quote(t.tableName)}` : '?';
        const list = out.get(name) ?? [];
        for (const r of x.rows ?? []) list.push(Object.values(r).map(canonical));
        out.set(name, list);
      }
      held = [];
      if (!after(end, at)) done();
    });
    z.start({
      filename: start.file,
      position: start.position,
      serverId: randomInt(2_000_000_000, 4_000_000_000),
      includeEvents: ['rotate', 'tablemap', 'writerows', 'xid', 'query'],
    });
  });
  return out;
}
