import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PreflightError } from '../../src/model/errors.js';
import { q, replicaRunning, rows, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema } from '../support/snapshot.js';
import { flushSettings, runFlush, runRecover, tempHashfile } from '../support/flusher.js';
import { currentPosition } from '../support/binlog.js';

const sb = inject('sandbox')!;
const SCHEMA = 'bf_pre';

describe('preflight refuses before any change, listing every failure with its fix', () => {
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${SCHEMA}; CREATE DATABASE ${SCHEMA};
               CREATE TABLE ${SCHEMA}.t (id INT PRIMARY KEY); INSERT INTO ${SCHEMA}.t VALUES (1), (2), (3);
               CREATE TABLE ${SCHEMA}.legacy (id INT PRIMARY KEY, v VARCHAR(5)); INSERT INTO ${SCHEMA}.legacy VALUES (1, 'a'), (2, 'b');`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('lists all failures at once: running applier with --no-stop-slave, unknown table, unknown schema', async () => {
    const before = await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA));
    const s = flushSettings(sb.replica, {
      selection: { databases: [SCHEMA, 'no_such_db'], tables: [{ table: 'nope' }], skip: [] },
      replication: { stopReplica: false, startReplica: false },
    });
    const err = await runFlush(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    const checks = (err as PreflightError).failures.map((f) => f.check);
    expect(checks).toContain('applier');
    expect(checks.filter((c) => c === 'selection').length).toBe(2);
    for (const f of (err as PreflightError).failures) expect(f.fix.length).toBeGreaterThan(5);
    expect((err as PreflightError).message).toMatch(/nothing was changed/);
    expect(await replicaRunning(sb.replica)).toBe(true);
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA))).toEqual(before);
  });

  it('refuses a primary, and a server whose binlog a replica reads', async () => {
    const s = flushSettings(sb.primary, { selection: { databases: [SCHEMA], tables: [], skip: [] } });
    const err = (await runFlush(s).catch((e: unknown) => e)) as PreflightError;
    expect(err).toBeInstanceOf(PreflightError);
    expect(err.failures.map((f) => f.check).sort()).toEqual(['downstream', 'replica']);
    expect(err.message).toMatch(/--allow-primary/);
    expect(err.message).toMatch(/--allow-downstream/);
    const again = (await runFlush({ ...s, allowPrimary: true }).catch((e: unknown) => e)) as PreflightError;
    expect(again.failures.map((f) => f.check)).toEqual(['downstream']);
  });

  it('reports the coordinates a CDC consumer needs, the GTID range, and rotates the binlog on request', async () => {
    const pos = await currentPosition(sb.replica);
    const s = flushSettings(sb.replica, {
      selection: { databases: [SCHEMA], tables: [], skip: [] },
      rotateBinlog: true,
    });
    const { report } = await runFlush(s);
    expect(report.status).toBe('flushed');
    expect(report.binlog!.start.file).not.toBe(pos.file);
    expect(report.binlog!.end!.position).toBeGreaterThan(report.binlog!.start.position);
    expect(report.sourceApplied?.file).toMatch(/binlog\.\d+/);
    expect(report.sourceApplied?.position).toBeGreaterThan(0);
    if (sb.flavour === 'mariadb') {
      expect(report.warnings.join('\n')).toMatch(/GTIDs are on/);
      expect(report.gtid?.written).toMatch(/^0-2-\d+/);
    }
    await startReplica(sb.replica);
  });

  it("recovers from the original tool's hashfile (with --db naming its schema)", async () => {
    // The state the original tool leaves when it dies mid-copy: backup _BKTB_1 and a BLACKHOLE twin.
    const before = await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA));
    await withSql(sb.replica, async (c) => {
      await c.query(sb.flavour === 'mariadb' ? 'STOP SLAVE' : 'STOP REPLICA');
      await c.query(`SET sql_log_bin = 0; RENAME TABLE ${SCHEMA}.legacy TO ${SCHEMA}._BKTB_1;
        CREATE TABLE ${SCHEMA}.legacy LIKE ${SCHEMA}._BKTB_1; ALTER TABLE ${SCHEMA}.legacy ENGINE=BLACKHOLE`);
    });
    const hashfile = tempHashfile();
    writeFileSync(hashfile, '_BKTB_1,legacy\n');
    const { report } = await runRecover(sb.replica, hashfile, {
      selection: { databases: [SCHEMA], tables: [], skip: [] },
    });
    expect(report.status).toBe('recovered');
    expect(report.tables[0]?.outcome).toBe('twin-replaced');
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, SCHEMA))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    const again = await runRecover(sb.replica, hashfile, {
      selection: { databases: [SCHEMA], tables: [], skip: [] },
    });
    expect(again.report.tables[0]?.outcome).toBe('already-restored');
    await startReplica(sb.replica);
  });

  it('never drops a table that is not provably our twin', async () => {
    // A journal naming a table whose "backup" and real table both exist and neither is ours.
    await withSql(sb.replica, async (c) => {
      await c.query(sb.flavour === 'mariadb' ? 'STOP SLAVE' : 'STOP REPLICA');
      await c.query(`SET sql_log_bin = 0; CREATE TABLE ${SCHEMA}._BKTB_9 LIKE ${SCHEMA}.t`);
    });
    const hashfile = tempHashfile();
    writeFileSync(hashfile, '_BKTB_9,t\n');
    const { report } = await runRecover(sb.replica, hashfile, {
      selection: { databases: [SCHEMA], tables: [], skip: [] },
    });
    expect(report.status).toBe('incomplete');
    expect(report.exitCode).toBe(5);
    expect(report.tables[0]?.outcome).toBe('not-understood');
    const names = await withSql(sb.replica, (c) =>
      rows<{ n: string }>(c, `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [
        SCHEMA,
      ]),
    );
    expect(names.map((n) => n.n).sort()).toEqual(['_BKTB_9', 'legacy', 't']);
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${SCHEMA}.${q('_BKTB_9')}`));
    await startReplica(sb.replica);
  });
});
