import { describe, expect, it } from 'vitest';
import { dialectFor, parseVersion } from '../../src/db/dialect.js';

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
  it('knows where BLACKHOLE may be partitioned and how CHECK names clash', () => {
    const maria = dialectFor(parseVersion('10.11.19-MariaDB'));
    const my = dialectFor(parseVersion('8.4.3'));
    expect(my.checkNamesPerSchema).toBe(true);
    expect(maria.blackholeFix).toMatch(/ha_blackhole/);
  });
  it('refuses a version it cannot read', () => {
    expect(() => parseVersion('unknown')).toThrow(/version/);
  });
});
