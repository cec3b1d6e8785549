import { describe, expect, it } from 'vitest';
import { parseVersion } from '../../src/model/version.js';
import { dialectFor } from '../../src/flavours/index.js';
import {
  gtidReport,
  gtidSessionSettings,
  mariaFlushedRange,
  parseGtidSet,
  subtractGtidSets,
} from '../../src/plan/gtid.js';

const U = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const V = '4f22ab58-82db-22f2-af44-d91bba53a673';
const mysql84 = dialectFor(parseVersion('8.4.3'));
const mysql80 = dialectFor(parseVersion('8.0.36'));
const maria = dialectFor(parseVersion('10.11.19-MariaDB'));

describe('MySQL GTID sets', () => {
  it('parses intervals, tags and line breaks, merging what touches', () => {
    const m = parseGtidSet(`${U}:1-5:6-9:12,\n${V}:1-3:bf_flush:1-4`);
    expect(m.get(U)).toEqual([
      [1, 9],
      [12, 12],
    ]);
    expect(m.get(V)).toEqual([[1, 3]]);
    expect(m.get(`${V}:bf_flush`)).toEqual([[1, 4]]);
  });
  it('the flush wrote end minus start: untagged on its own uuid', () => {
    expect(subtractGtidSets(`${U}:1-100,${V}:1-57`, `${U}:1-100,${V}:1-12`)).toBe(`${V}:13-57`);
  });
  it('tagged: only the tag is new', () => {
    expect(subtractGtidSets(`${U}:1-100,${V}:1-3:bf:1-40`, `${U}:1-100,${V}:1-3`)).toBe(`${V}:bf:1-40`);
  });
  it('nothing written, nothing left', () => {
    expect(subtractGtidSets(`${U}:1-100`, `${U}:1-100`)).toBe('');
  });
  it('a hole in the middle stays a hole', () => {
    expect(subtractGtidSets(`${U}:1-10`, `${U}:3-4`)).toBe(`${U}:1-2:5-10`);
  });
});

describe('MariaDB GTID positions', () => {
  it('a domain of its own: the whole domain is the flush', () => {
    expect(mariaFlushedRange('0-1-5', '0-1-5,77-2-10')).toBe('77-2-1..77-2-10');
  });
  it("the source's domain: from the sequence after the start", () => {
    expect(mariaFlushedRange('0-1-5', '0-2-9')).toBe('0-2-6..0-2-9');
  });
  it('nothing written', () => {
    expect(mariaFlushedRange('0-1-5', '0-1-5')).toBe('');
  });
});

describe('session settings for the GTID placement', () => {
  it('a domain on MariaDB, a tag on MySQL, nothing otherwise', () => {
    expect(gtidSessionSettings({ gtid: { domainId: 77 } }, maria)).toEqual([
      expect.objectContaining({
        variable: 'gtid_domain_id',
        value: '77',
        privilege: 'SUPER or BINLOG REPLAY',
      }),
    ]);
    expect(gtidSessionSettings({ gtid: { tag: 'bf' } }, mysql84)).toEqual([
      expect.objectContaining({ variable: 'gtid_next', value: "'AUTOMATIC:bf'" }),
    ]);
    expect(gtidSessionSettings({ gtid: { tag: 'bf' } }, maria)).toEqual([]);
    expect(gtidSessionSettings({}, mysql84)).toEqual([]);
  });
});

describe('the statements printed after a flush', () => {
  const self = { serverId: 2, endFile: 'binlog.000007' };
  it('MySQL: the other servers mark the flushed GTIDs executed', () => {
    const r = gtidReport(mysql80, undefined, `${U}:1-100`, `${U}:1-100,${V}:1-12`, self);
    expect(r.written).toBe(`${V}:1-12`);
    expect(r.steps).toEqual([expect.objectContaining({ sql: `SET GLOBAL gtid_purged = '+${V}:1-12';` })]);
    expect(r.steps[0]!.where).toMatch(/primary and on every other replica/);
  });
  it('MySQL 8.4 with a tag: the tagged set', () => {
    const r = gtidReport(mysql84, { tag: 'bf' }, `${U}:1-100`, `${U}:1-100,${V}:bf:1-12`, self);
    expect(r.placement).toBe('tagged bf');
    expect(r.steps[0]!.sql).toBe(`SET GLOBAL gtid_purged = '+${V}:bf:1-12';`);
  });
  it('MariaDB with a domain: IGNORE_DOMAIN_IDS on re-pointed replicas, DELETE_DOMAIN_ID once read', () => {
    const r = gtidReport(maria, { domainId: 77 }, '0-1-5', '0-1-5,77-2-10', self);
    expect(r.written).toBe('77-2-1..77-2-10');
    expect(r.steps.map((x) => x.sql)).toEqual([
      'STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_DOMAIN_IDS = (77); START SLAVE;',
      "FLUSH BINARY LOGS; PURGE BINARY LOGS TO '<the file after binlog.000007>'; FLUSH BINARY LOGS DELETE_DOMAIN_ID = (77);",
    ]);
  });
  it("MariaDB in the source's domain: IGNORE_SERVER_IDS while it stays a replica, and not to promote it", () => {
    const r = gtidReport(maria, undefined, '0-1-5', '0-2-9', self);
    expect(r.steps[0]!.sql).toMatch(/IGNORE_SERVER_IDS = \(2\)/);
    expect(r.steps[0]!.where).toMatch(/do not promote/);
  });
});
