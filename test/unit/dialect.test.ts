import { describe, expect, it } from 'vitest';
import { dialectFor, parseVersion } from '../../src/flavours/index.js';

describe('dialect from the version string', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1-log', '', 'mariadb', 'STOP ALL SLAVES', 'SHOW MASTER STATUS'],
    ['11.4.2-MariaDB', '', 'mariadb', 'STOP ALL SLAVES', 'SHOW MASTER STATUS'],
    [
      '5.5.5-10.6.12-MariaDB',
      'mariadb.org binary distribution',
      'mariadb',
      'STOP ALL SLAVES',
      'SHOW MASTER STATUS',
    ],
    ['8.0.21', 'MySQL Community Server - GPL', 'mysql', 'STOP SLAVE', 'SHOW MASTER STATUS'],
    ['8.0.36', 'MySQL Community Server - GPL', 'mysql', 'STOP REPLICA', 'SHOW MASTER STATUS'],
    ['8.4.3', 'MySQL Community Server - GPL', 'mysql', 'STOP REPLICA', 'SHOW BINARY LOG STATUS'],
    ['9.1.0', 'MySQL Community Server - GPL', 'mysql', 'STOP REPLICA', 'SHOW BINARY LOG STATUS'],
  ])('%s', (version, comment, flavour, stop, status) => {
    const d = dialectFor(parseVersion(version, comment));
    expect(d.version.flavour).toBe(flavour);
    expect(d.stopReplica).toBe(stop);
    expect(d.showBinlogStatus).toBe(status);
  });
  it('knows how a missing BLACKHOLE engine is fixed and how CHECK names clash', () => {
    const maria = dialectFor(parseVersion('10.11.19-MariaDB'));
    const my = dialectFor(parseVersion('8.4.3'));
    expect(my.checkNamesPerSchema).toBe(true);
    expect(maria.blackholeFix).toMatch(/ha_blackhole/);
  });
  it('refuses a version it cannot read', () => {
    expect(() => parseVersion('unknown')).toThrow(/version/);
  });
});

describe('privileges per flavour and version', () => {
  it.each([
    ['8.0.13', 'SUPER'],
    ['8.0.36', 'SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN (or SUPER)'],
    ['8.4.3', 'SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN (or SUPER)'],
    ['10.4.30-MariaDB', 'SUPER'],
    ['10.11.19-MariaDB', 'BINLOG ADMIN (or SUPER)'],
  ])('SET sql_log_bin on %s: %s', (v, priv) => {
    expect(dialectFor(parseVersion(v)).sqlLogBinPrivilege).toBe(priv);
  });
  it('the applier, the binlog and the replica list, per flavour', () => {
    const my = dialectFor(parseVersion('8.4.3')).privileges;
    const maria = dialectFor(parseVersion('10.11.19-MariaDB')).privileges;
    expect([my.replicaAdmin, my.binlogStatus, my.replicaHosts]).toEqual([
      ['REPLICATION_SLAVE_ADMIN', 'SUPER'],
      'REPLICATION CLIENT',
      'REPLICATION SLAVE',
    ]);
    expect([maria.replicaAdmin, maria.binlogStatus, maria.replicaHosts]).toEqual([
      ['REPLICATION SLAVE ADMIN', 'SUPER'],
      'BINLOG MONITOR',
      'REPLICATION MASTER ADMIN',
    ]);
  });
  it('GTID expressions per flavour', () => {
    expect(dialectFor(parseVersion('8.0.36')).gtidExecutedExpr).toBe('@@GLOBAL.gtid_executed');
    expect(dialectFor(parseVersion('10.11.19-MariaDB')).gtidExecutedExpr).toBe('@@GLOBAL.gtid_binlog_pos');
  });
});

describe('GTID tags', () => {
  it.each([
    ['8.0.36', false],
    ['8.2.0', false],
    ['8.3.0', true],
    ['8.4.3', true],
    ['10.11.19-MariaDB', false],
  ])('%s: %s', (v, tags) => {
    expect(dialectFor(parseVersion(v)).gtidTags).toBe(tags);
  });
});
