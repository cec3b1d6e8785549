/** Which binlog events are the run's own: one predicate, table-tested. */
import { describe, expect, it } from 'vitest';
import {
  inOurPlacement,
  isOurEvent,
  ourEvents,
  ourEventsOfJournal,
  writtenHere,
} from '../../src/inspect/our-events.js';

const UUID = '3e11fa47-71ca-11e1-9e33-c80aa9429562';

describe('isOurEvent', () => {
  const plain = ourEvents(7);
  it.each([
    ['our server, MariaDB GTID of ours', 7, '0-7-12', plain, true],
    ['our server, no GTID (MySQL anonymous)', 7, undefined, plain, true],
    ['our server, MySQL GTID', 7, `${UUID}:5`, plain, true],
    ['the primary (replicated)', 1, '0-1-12', plain, false],
    ['the primary, no GTID', 1, undefined, plain, false],
    ['our server id, but a GTID of another server (MariaDB)', 7, '0-1-12', plain, false],
    ['our domain', 7, '9-7-3', ourEvents(7, { domainId: 9 }), true],
    ['another domain', 7, '0-7-3', ourEvents(7, { domainId: 9 }), false],
    ['our tag', 7, `${UUID}:bf:3`, ourEvents(7, { tag: 'bf' }), true],
    ['untagged where the run tags', 7, `${UUID}:3`, ourEvents(7, { tag: 'bf' }), false],
    ['another tag', 7, `${UUID}:other:3`, ourEvents(7, { tag: 'bf' }), false],
  ] as const)('%s', (_what, serverId, gtid, ours, want) => {
    expect(isOurEvent({ Server_id: serverId, Event_type: 'Table_map' }, gtid, ours)).toBe(want);
  });

  it('reads the server id as the server gives it (a number or its text)', () => {
    expect(writtenHere({ Server_id: '7' }, plain)).toBe(true);
    expect(writtenHere({ Server_id: 70 }, plain)).toBe(false);
    expect(writtenHere({}, plain)).toBe(false);
  });

  it('an unreadable GTID leaves the decision to the server id', () => {
    expect(inOurPlacement('not-a-gtid', plain)).toBe(true);
  });
});

describe('ourEventsOfJournal', () => {
  it('takes the server and the GTID placement from the header', () => {
    expect(ourEventsOfJournal({ serverId: 3, options: { gtid: { domainId: 4 } } })).toEqual({
      serverId: 3,
      gtidDomain: 4,
    });
    expect(ourEventsOfJournal({ serverId: 3, options: { gtid: { tag: 'x' } } })).toEqual({
      serverId: 3,
      gtidTag: 'x',
    });
    expect(ourEventsOfJournal({ serverId: 3, options: { gtid: null } })).toEqual({ serverId: 3 });
    expect(ourEventsOfJournal({ serverId: 3 })).toEqual({ serverId: 3 });
  });

  it('refuses a journal with no header rather than guess', () => {
    expect(() => ourEventsOfJournal(undefined)).toThrow(/no header/);
  });
});

describe('a MySQL GTID and the server uuid', () => {
  const other = '11111111-2222-3333-4444-555555555555';
  it.each([
    [`${UUID}:4`, true],
    [`${UUID.toUpperCase()}:4`, true],
    [`${other}:4`, false],
    [`${other}:bf:4`, false],
  ] as const)('%s', (gtid, want) => {
    expect(inOurPlacement(gtid, ourEvents(7, null, UUID))).toBe(want);
  });
});
