import { describe, expect, it } from 'vitest';
import { dialectFor, gtidSetOf, parseVersion } from '../../src/flavours/index.js';
import { gtidReport, gtidSessionSettings } from '../../src/plan/gtid.js';
import { parseGtidSet } from '../../src/model/gtid-set.js';
import { gtidOfEvent } from '../../src/inspect/binlog.js';

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
  it('the set of the GTIDs a run got, merged into intervals, tags after the untagged', () => {
    expect(gtidSetOf('mysql', [`${V}:13`, `${V}:14`, `${V}:15`, `${V}:20`])).toBe(`${V}:13-15:20`);
    expect(gtidSetOf('mysql', [`${V}:bf:2`, `${V}:bf:1`, `${V}:7`])).toBe(`${V}:7,${V}:bf:1-2`);
    expect(gtidSetOf('mysql', [])).toBe('');
  });
});

describe('MariaDB GTIDs a run got', () => {
  it('a domain of its own: one range', () => {
    expect(gtidSetOf('mariadb', ['77-2-1', '77-2-2', '77-2-3'])).toBe('77-2-1..77-2-3');
  });
  it("the source's domain: only the sequence numbers the run got, not the source's between them", () => {
    // Issue 17: the run wrote 0-2-79 and 0-2-80; a difference of positions said 0-2-10..0-2-80.
    expect(gtidSetOf('mariadb', ['0-2-79', '0-2-80'])).toBe('0-2-79..0-2-80');
    expect(gtidSetOf('mariadb', ['0-2-12', '0-2-9', '0-2-10'])).toBe('0-2-9..0-2-10,0-2-12');
  });
  it('one GTID, and nothing', () => {
    expect(gtidSetOf('mariadb', ['0-2-9'])).toBe('0-2-9');
    expect(gtidSetOf('mariadb', [])).toBe('');
  });
});

describe("a binlog Gtid event's GTID", () => {
  it('MariaDB, MySQL, MySQL tagged; none for an anonymous transaction', () => {
    expect(gtidOfEvent('BEGIN GTID 0-2-79')).toBe('0-2-79');
    expect(gtidOfEvent('GTID 77-2-1')).toBe('77-2-1');
    expect(gtidOfEvent(`SET @@SESSION.GTID_NEXT= '${U}:42'`)).toBe(`${U}:42`);
    expect(gtidOfEvent(`SET @@SESSION.GTID_NEXT= '${U}:bf_flush:3'`)).toBe(`${U}:bf_flush:3`);
    expect(gtidOfEvent("SET @@SESSION.GTID_NEXT= 'ANONYMOUS'")).toBeUndefined();
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
    const track = expect.objectContaining({ variable: 'session_track_gtids', value: 'OWN_GTID' });
    expect(gtidSessionSettings({ gtid: { tag: 'bf' } }, mysql84)).toEqual([
      track,
      expect.objectContaining({ variable: 'gtid_next', value: "'AUTOMATIC:bf'" }),
    ]);
    expect(gtidSessionSettings({ gtid: { tag: 'bf' } }, maria)).toEqual([]);
    expect(gtidSessionSettings({}, mysql84)).toEqual([track]);
    expect(gtidSessionSettings({}, maria)).toEqual([]);
  });
});

describe('the statements printed after a flush', () => {
  const self = { serverId: 2, endFile: 'binlog.000007' };
  it('MySQL: the other servers mark the flushed GTIDs executed', () => {
    const got = Array.from({ length: 12 }, (_, i) => `${V}:${i + 1}`);
    const r = gtidReport(mysql80, undefined, got, self);
    expect(r.written).toBe(`${V}:1-12`);
    expect(r.steps).toEqual([expect.objectContaining({ sql: `SET GLOBAL gtid_purged = '+${V}:1-12';` })]);
    expect(r.steps[0]!.where).toMatch(/primary and on every other replica/);
  });
  it('MySQL 8.4 with a tag: the tagged set', () => {
    const got = Array.from({ length: 12 }, (_, i) => `${V}:bf:${i + 1}`);
    const r = gtidReport(mysql84, { tag: 'bf' }, got, self);
    expect(r.placement).toBe('tagged bf');
    expect(r.steps[0]!.sql).toBe(`SET GLOBAL gtid_purged = '+${V}:bf:1-12';`);
  });
  it('MariaDB with a domain: IGNORE_DOMAIN_IDS on re-pointed replicas, DELETE_DOMAIN_ID once read', () => {
    const got = Array.from({ length: 10 }, (_, i) => `77-2-${i + 1}`);
    const r = gtidReport(maria, { domainId: 77 }, got, self);
    expect(r.written).toBe('77-2-1..77-2-10');
    expect(r.steps.map((x) => x.sql)).toEqual([
      'STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_DOMAIN_IDS = (77); START SLAVE;',
      "FLUSH BINARY LOGS; PURGE BINARY LOGS TO '<the file after binlog.000007>'; FLUSH BINARY LOGS DELETE_DOMAIN_ID = (77);",
    ]);
  });
  it("MariaDB in the source's domain: IGNORE_SERVER_IDS while it stays a replica, and not to promote it", () => {
    const r = gtidReport(maria, undefined, ['0-2-9'], self);
    expect(r.steps[0]!.sql).toMatch(/IGNORE_SERVER_IDS = \(2\)/);
    expect(r.steps[0]!.where).toMatch(/do not promote/);
  });
});
