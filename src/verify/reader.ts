/**
 * Reads a server's binlog between two coordinates over the replication protocol, as a replica would,
 * with @vlasky/zongji (a maintained binlog client on mysql2). Hands over only what `checkRange` looks
 * at: statements and row events, each with the coordinates after it.
 */
import ZongJi from '@vlasky/zongji';
import { randomInt } from 'node:crypto';
import { connectionOptions } from '../db/connection.js';
import { FlusherError, ExitCode, errorText } from '../errors.js';
import type { ConnectionSettings } from '../settings.js';
import { comparePositions, type RangeEvent } from './check.js';

interface Coordinates {
  file: string;
  position: number;
}

/** A zongji event, as far as we read it (its typings name each class; we need few fields). */
interface AnyEvent {
  getEventName(): string;
  nextPosition: number;
  binlogName?: string;
  query?: string;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string }>;
  rows?: unknown[];
}

const ROW_OPS: Record<string, 'insert' | 'update' | 'delete'> = {
  writerows: 'insert',
  updaterows: 'update',
  deleterows: 'delete',
};

/** What `checkRange` needs of one event, at the coordinates after it (undefined: not looked at). */
function rangeEvent(e: AnyEvent, at: Coordinates): RangeEvent | undefined {
  const name = e.getEventName();
  if (name === 'query') return { ...at, kind: 'query', sql: e.query ?? '' };
  const op = ROW_OPS[name];
  if (!op) return undefined;
  const t = e.tableMap?.[e.tableId!];
  return {
    ...at,
    kind: 'rows',
    op,
    schema: t?.parentSchema ?? '?',
    table: t?.tableName ?? '?',
    rows: e.rows?.length ?? 0,
  };
}

/**
 * Every statement and row event after `start` up to and including the one ending at `end`. Fails when
 * nothing arrives for `idleS` seconds (the range is not on this server, or the binlog was purged).
 */
export async function readRange(
  c: ConnectionSettings,
  start: Coordinates,
  end: Coordinates,
  idleS = 30,
): Promise<RangeEvent[]> {
  const events: RangeEvent[] = [];
  if (comparePositions(start, end) >= 0) return events;
  const z = new ZongJi({ ...connectionOptions(c), multipleStatements: false });
  let file = start.file;
  return new Promise<RangeEvent[]>((resolve, reject) => {
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (e?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      z.stop();
      if (e) reject(e);
      else resolve(events);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          finish(
            new FlusherError(
              `verify: no binlog event for ${idleS}s before ${end.file}:${end.position} (read up to ${file}); is this the server that ran the flush, and is its binlog still there?`,
              ExitCode.verifyFailed,
            ),
          ),
        idleS * 1000,
      );
    };
    z.on('error', (e: unknown) =>
      finish(new FlusherError(`verify: reading the binlog failed: ${errorText(e)}`, ExitCode.verifyFailed)),
    );
    // MariaDB 11.4+ (binlog_legacy_event_pos=OFF, the default) sends the events inside a transaction
    // with no position of their own: only its commit has one. They are held until it comes and take
    // its position (the coordinates after the transaction).
    let held: AnyEvent[] = [];
    z.on('binlog', (raw: unknown) => {
      const e = raw as AnyEvent;
      armIdle();
      const name = e.getEventName();
      if (name === 'rotate') {
        file = e.binlogName ?? file;
        return;
      }
      if (!e.nextPosition) {
        // Artificial events (the first rotate, the format event) and positionless ones in a transaction.
        if (name === 'query' || ROW_OPS[name]) held.push(e);
        return;
      }
      const at = { file, position: e.nextPosition };
      if (comparePositions(at, end) > 0) return finish();
      for (const x of [...held, e]) {
        const event = rangeEvent(x, at);
        if (event) events.push(event);
      }
      held = [];
      if (comparePositions(at, end) >= 0) finish();
    });
    armIdle();
    z.start({
      filename: start.file,
      position: start.position,
      // A replica's server id of its own: one no real replica uses (a duplicate would disconnect it).
      serverId: randomInt(2_000_000_000, 4_000_000_000),
      includeEvents: ['rotate', 'query', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid'],
    });
  });
}
