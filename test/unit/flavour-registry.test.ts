/**
 * The flavour registry (src/flavours/index.ts) and the answers each flavour gives where callers once
 * compared flavour names: detection, the journal's flavour, statements, information_schema fields,
 * GTID notation and placement, value types and default expressions.
 */
import { describe, expect, it } from 'vitest';
import {
  FLAVOURS,
  dialectFor,
  flavourFacts,
  flavourOf,
  journalFlavour,
  parseVersion,
  type Flavour,
} from '../../src/flavours/index.js';
import { serverFacts, shapeColumns, shapeIndexParts } from '../../src/sql/reads.js';

const d = (v: string, c = '') => dialectFor(parseVersion(v, c));

describe('the registry and detection', () => {
  it('has exactly one flavour for servers no other flavour claims, and it is MySQL', () => {
    const fallback = (Object.keys(FLAVOURS) as Flavour[]).filter(
      (f) => FLAVOURS[f].recognise === 'otherwise',
    );
    expect(fallback).toEqual(['mysql']);
  });

  it.each([
    ['9.7.4', '', 'mysql'],
    ['8.0.36', 'MySQL Community Server - GPL', 'mysql'],
    ['11.8.9-MariaDB-1', '', 'mariadb'],
    ['5.5.5-10.6.12', 'mariadb.org binary distribution', 'mariadb'],
  ])('%s (%s) is %s', (v, c, f) => {
    expect(flavourOf(v, c)).toBe(f);
    expect(parseVersion(v, c)).toMatchObject({ flavour: f, text: v });
  });

  it('reads the numbers at the start of the version', () => {
    expect(parseVersion('10.11.19-MariaDB-0+deb12u1-log')).toMatchObject({ major: 10, minor: 11, patch: 19 });
  });

  it("a journal's flavour: its header's, else (older journals, or a name not known) its version text's", () => {
    expect(journalFlavour({ flavour: 'mariadb', serverVersion: '10.11.19' })).toBe('mariadb');
    expect(journalFlavour({ flavour: 'mysql', serverVersion: '8.4.3' })).toBe('mysql');
    expect(journalFlavour({ serverVersion: '10.11.19-MariaDB' })).toBe('mariadb');
    expect(journalFlavour({ serverVersion: '8.4.3' })).toBe('mysql');
    expect(journalFlavour({ flavour: 'nonesuch', serverVersion: '11.4.2-MariaDB' })).toBe('mariadb');
  });

  it("each module's dialect and rules are its own flavour's", () => {
    for (const f of Object.keys(FLAVOURS) as Flavour[]) {
      const v = { flavour: f, major: 11, minor: 0, patch: 0, text: '11.0.0' };
      expect(FLAVOURS[f].dialect(v).version.flavour).toBe(f);
      expect(FLAVOURS[f].rules(v).version.flavour).toBe(f);
      expect(FLAVOURS[f].dialect(v).label).toBe(FLAVOURS[f].label);
    }
  });
});

describe('statements and fields per flavour', () => {
  it('server facts: no server_uuid and no super_read_only on MariaDB', () => {
    const [my] = serverFacts(d('8.4.3').serverFactExprs);
    const [maria] = serverFacts(d('10.11.19-MariaDB').serverFactExprs);
    expect(my).toMatch(/@@server_uuid AS uuid/);
    expect(my).toMatch(/@@super_read_only AS sro, @@GLOBAL\.gtid_mode AS gtid/);
    expect(maria).toMatch(/'' AS uuid/);
    expect(maria).toMatch(/0 AS sro, IF\(@@GLOBAL\.gtid_binlog_pos <> ''/);
  });

  it('information_schema fields by version', () => {
    const scope = { schema: 's', table: 't' };
    expect(shapeColumns(d('8.0.3').infoSchemaFields, scope)[0]).toMatch(/SRS_ID AS srid/);
    expect(shapeColumns(d('8.0.2').infoSchemaFields, scope)[0]).toMatch(/NULL AS srid/);
    expect(shapeIndexParts(d('8.0.13').infoSchemaFields, scope)[0]).toMatch(
      /IS_VISIBLE AS vis,\s+EXPRESSION AS ex/,
    );
    expect(shapeIndexParts(d('5.7.44').infoSchemaFields, scope)[0]).toMatch(/'YES' AS vis,\s+NULL AS ex/);
    expect(shapeIndexParts(d('10.6.0-MariaDB').infoSchemaFields, scope)[0]).toMatch(
      /IF\(IGNORED = 'YES', 'NO', 'YES'\) AS vis,\s+NULL AS ex/,
    );
    expect(shapeIndexParts(d('10.5.20-MariaDB').infoSchemaFields, scope)[0]).toMatch(/'YES' AS vis/);
    expect(shapeColumns(d('11.8.9-MariaDB').infoSchemaFields, scope)[0]).toMatch(/NULL AS srid/);
  });

  it('replica status of every channel or connection, and where the applied GTIDs are', () => {
    expect(d('8.4.3').allReplicasStatus).toBe('SHOW REPLICA STATUS');
    expect(d('8.0.21').allReplicasStatus).toBe('SHOW SLAVE STATUS');
    expect(d('8.4.3').appliedGtids).toEqual({ column: 'Executed_Gtid_Set' });
    expect(d('10.11.19-MariaDB').allReplicasStatus).toBe('SHOW ALL SLAVES STATUS');
    expect(d('10.11.19-MariaDB').appliedGtids).toEqual({ expression: '@@GLOBAL.gtid_slave_pos' });
  });

  it('how a session learns its own GTIDs, and whether every transaction gets one', () => {
    expect(d('8.4.3').ownGtids).toMatchObject({
      tracker: { variable: 'session_track_gtids', value: 'OWN_GTID' },
    });
    expect(d('10.11.19-MariaDB').ownGtids).toEqual({ query: 'SELECT @@SESSION.last_gtid AS g' });
    expect(d('8.4.3').gtidsAlwaysOn).toBe(false);
    expect(d('10.11.19-MariaDB').gtidsAlwaysOn).toBe(true);
  });

  it('GTID domains on MariaDB, tags on MySQL (whatever the version: preflight refuses one too old)', () => {
    const maria = d('10.11.19-MariaDB');
    expect(maria.gtidTagging).toBeUndefined();
    expect(maria.gtidDomains!.variables).toEqual({
      own: 'gtid_domain_id',
      applied: 'gtid_slave_pos',
      strict: 'gtid_strict_mode',
    });
    expect(maria.gtidDomains!.domainsOf('0-1-100,7-2-5')).toEqual([0, 7]);
    expect(maria.gtidDomains!.domainsOf('')).toEqual([]);
    expect(d('8.0.36').gtidDomains).toBeUndefined();
    expect(d('8.0.36').gtidTagging!.session('bf')).toMatchObject({
      variable: 'gtid_next',
      value: "'AUTOMATIC:bf'",
    });
  });

  it('GTIDs executed since a set: MySQL only', () => {
    expect(flavourFacts('mysql').gtidsExecutedSince).toBe(
      'SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, ?) AS g',
    );
    expect(flavourFacts('mariadb').gtidsExecutedSince).toBeUndefined();
  });

  it('time-bounded SELECTs, account tables, the binlog-updates variable and the retention fix', () => {
    expect(flavourFacts('mysql').boundedSelect(1234.4, '1')).toBe('SELECT /*+ MAX_EXECUTION_TIME(1234) */ 1');
    expect(flavourFacts('mariadb').boundedSelect(250, '1')).toBe(
      'SET STATEMENT max_statement_time = 0.250 FOR SELECT 1',
    );
    expect(flavourFacts('mysql').accountsTable).toBe('mysql.user');
    expect(flavourFacts('mariadb').accountsTable).toBe('mysql.global_priv');
    expect(flavourFacts('mysql').logsAppliedVariable).toBe('log_replica_updates');
    expect(flavourFacts('mariadb').logsAppliedVariable).toBe('log_slave_updates');
    expect(flavourFacts('mysql').retentionFix).toMatch(/binlog_expire_logs_seconds/);
    expect(flavourFacts('mariadb').retentionFix).toMatch(/expire_logs_days/);
  });

  it('value types and default expressions', () => {
    expect(flavourFacts('mysql').valueTypes).toEqual({ nativeJson: true, ownTypes: [] });
    expect(flavourFacts('mariadb').valueTypes).toEqual({
      nativeJson: false,
      ownTypes: ['inet4', 'inet6', 'uuid'],
    });
    expect(flavourFacts('mysql').isDefaultExpression('uuid()', 'DEFAULT_GENERATED')).toBe(true);
    expect(flavourFacts('mysql').isDefaultExpression('CURRENT_TIMESTAMP', 'DEFAULT_GENERATED')).toBe(false);
    expect(flavourFacts('mysql').isDefaultExpression('uuid()', '')).toBe(false);
    expect(flavourFacts('mariadb').isDefaultExpression('uuid()', '')).toBe(true);
    expect(flavourFacts('mariadb').isDefaultExpression("'x'", '')).toBe(false);
    expect(flavourFacts('mariadb').isDefaultExpression('current_timestamp()', '')).toBe(false);
    expect(flavourFacts('mariadb').isDefaultExpression('-1.5e3', '')).toBe(false);
  });

  it('GTID sets in each notation', () => {
    const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(flavourFacts('mysql').gtidSetOf([`${u}:2`, `${u}:1`])).toBe(`${u}:1-2`);
    expect(flavourFacts('mariadb').gtidSetOf(['0-2-2', '0-2-1'])).toBe('0-2-1..0-2-2');
  });
});
