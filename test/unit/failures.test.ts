import { describe, expect, it } from 'vitest';
import {
  DDL_RETRY,
  chunkMayBeRetried,
  ddlRetryDelay,
  connectionUnusable,
  fileSystemError,
  interrupted,
  outcomeUnknown,
  surelyRolledBack,
} from '../../src/db/failures.js';

/** Errors shaped as mysql2 and Node raise them. */
const server = (errno: number, code = '') => Object.assign(new Error(`server ${errno}`), { errno, code });
const client = (code: string, fatal = true) => Object.assign(new Error(code), { code, fatal });
const fs = (code: string) => Object.assign(new Error(code), { code, syscall: 'write', errno: -28 });

describe('failure predicates', () => {
  it.each([
    ['lost reply (PROTOCOL_CONNECTION_LOST)', client('PROTOCOL_CONNECTION_LOST')],
    ['statement time-out of the client (PROTOCOL_SEQUENCE_TIMEOUT)', client('PROTOCOL_SEQUENCE_TIMEOUT')],
    ['reset socket', client('ECONNRESET', false)],
    ['server gone away (2006)', server(2006)],
    ['lost during query (2013)', server(2013)],
    ['connection killed (1927)', server(1927, 'ER_CONNECTION_KILLED')],
    ['any fatal error', Object.assign(new Error('x'), { fatal: true })],
  ])('%s: connection unusable, outcome unknown, retried after reading the binlog', (_n, e) => {
    expect(connectionUnusable(e)).toBe(true);
    expect(outcomeUnknown(e)).toBe(true);
    expect(surelyRolledBack(e)).toBe(false);
    expect(chunkMayBeRetried(e)).toBe(true);
  });

  it.each([
    ['KILL QUERY (1317)', server(1317, 'ER_QUERY_INTERRUPTED')],
    ['MariaDB max_statement_time (1969)', server(1969, 'ER_STATEMENT_TIMEOUT')],
    ['MySQL max_execution_time (3024)', server(3024, 'ER_QUERY_TIMEOUT')],
  ])('%s: a statement stopped may still commit: outcome unknown, never resent blindly', (_n, e) => {
    expect(interrupted(e)).toBe(true);
    expect(connectionUnusable(e)).toBe(false);
    expect(outcomeUnknown(e)).toBe(true);
    expect(surelyRolledBack(e)).toBe(false);
    expect(chunkMayBeRetried(e)).toBe(true);
  });

  it.each([
    ['lock wait timeout (1205)', server(1205)],
    ['deadlock (1213)', server(1213)],
  ])('%s: rolled back whole, so the chunk is sent again as it is', (_n, e) => {
    expect(surelyRolledBack(e)).toBe(true);
    expect(outcomeUnknown(e)).toBe(false);
    expect(chunkMayBeRetried(e)).toBe(true);
  });

  it('a deadlock on a connection that is also gone counts as lost, not as rolled back', () => {
    const e = Object.assign(server(1213), { fatal: true });
    expect(surelyRolledBack(e)).toBe(false);
    expect(outcomeUnknown(e)).toBe(true);
  });

  it.each([
    ['no such table (1146)', server(1146)],
    ['access denied (1142)', server(1142)],
    ['duplicate key (1062)', server(1062)],
    ['a plain Error', new Error('boom')],
    ['not an error at all', 'text'],
    ['null', null],
  ])('%s: not retried, connection still usable', (_n, e) => {
    expect(chunkMayBeRetried(e)).toBe(false);
    expect(connectionUnusable(e)).toBe(false);
    expect(fileSystemError(e)).toBe(false);
  });

  it('a full disk while writing the journal is a file-system error; a reset socket is not', () => {
    expect(fileSystemError(fs('ENOSPC'))).toBe(true);
    expect(fileSystemError(Object.assign(client('ECONNRESET'), { syscall: 'read' }))).toBe(false);
  });
});

describe('a rename rolled back by the server is sent again', () => {
  it('retries a deadlock with growing, bounded delays, then gives up', () => {
    const e = server(1213, 'ER_LOCK_DEADLOCK');
    const delays = Array.from({ length: DDL_RETRY.deadlockAttempts }, (_, i) => ddlRetryDelay(e, i + 1, 0.5));
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 400]);
    expect(delays[DDL_RETRY.deadlockAttempts - 2]).toBeLessThanOrEqual(DDL_RETRY.maxMs);
    expect(delays[DDL_RETRY.deadlockAttempts - 1]).toBeUndefined();
  });
  it('spreads workers that collided apart (jitter between half and one and a half of the delay)', () => {
    const e = server(1213);
    expect(ddlRetryDelay(e, 3, 0)).toBe(100);
    expect(ddlRetryDelay(e, 3, 0.999)).toBe(300);
  });
  it('retries a lock wait timeout fewer times: each already waited lock_wait_timeout', () => {
    const e = server(1205, 'ER_LOCK_WAIT_TIMEOUT');
    expect(ddlRetryDelay(e, 1, 0.5)).toBe(50);
    expect(ddlRetryDelay(e, DDL_RETRY.lockWaitAttempts - 1, 0.5)).toBeDefined();
    expect(ddlRetryDelay(e, DDL_RETRY.lockWaitAttempts, 0.5)).toBeUndefined();
  });
  it.each([
    ['a lost connection (the rename may have happened)', client('PROTOCOL_CONNECTION_LOST')],
    ['KILL QUERY', server(1317, 'ER_QUERY_INTERRUPTED')],
    ['a duplicate name', server(1050)],
    ['a refused engine', server(1178)],
    ['a deadlock on a connection that is gone', Object.assign(server(1213), { fatal: true })],
  ])('never retries %s', (_n, e) => {
    expect(ddlRetryDelay(e, 1, 0.5)).toBeUndefined();
  });
});
