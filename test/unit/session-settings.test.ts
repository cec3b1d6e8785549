import { describe, expect, it } from 'vitest';
import { dialectFor, parseVersion } from '../../src/flavours/index.js';
import { assignmentsFor } from '../../src/db/session.js';

const d = (v: string, c = '') => dialectFor(parseVersion(v, c));
const names = (v: string) => d(v).sessionSettings.map((x) => `${x.variable}=${x.value}`);

describe('session settings per flavour and version', () => {
  it('MySQL 8.0.19: ROW, FULL, no Rows_query events, no forced primary key, fresh table statistics; no compression variable yet', () => {
    expect(names('8.0.19')).toEqual([
      "binlog_format='ROW'",
      "binlog_row_image='FULL'",
      'binlog_rows_query_log_events=OFF',
      'sql_require_primary_key=OFF',
      'information_schema_stats_expiry=0',
    ]);
  });
  it('MySQL 8.0.3+: table statistics read fresh (no cached information_schema figures), by any user', () => {
    expect(d('8.0.2').sessionSettings.map((x) => x.variable)).not.toContain(
      'information_schema_stats_expiry',
    );
    const e = d('8.0.3').sessionSettings.find((x) => x.variable === 'information_schema_stats_expiry');
    expect(e).toMatchObject({ value: '0', privilege: 'none' });
  });
  it('MySQL 8.0.20+: binlog_transaction_compression OFF, with the privilege that may set it', () => {
    const c = d('8.0.20').sessionSettings.find((x) => x.variable === 'binlog_transaction_compression');
    expect(c?.value).toBe('OFF');
    expect(c?.privilege).toBe('SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN');
  });
  it('MySQL 8.0.30+ and 8.4: no generated invisible primary key, and one the table has is shown in its DDL', () => {
    for (const v of ['8.0.30', '8.4.3', '9.1.0']) {
      expect(names(v)).toEqual([
        "binlog_format='ROW'",
        "binlog_row_image='FULL'",
        'binlog_transaction_compression=OFF',
        'binlog_rows_query_log_events=OFF',
        'sql_require_primary_key=OFF',
        'sql_generate_invisible_primary_key=OFF',
        'show_gipk_in_create_table_and_information_schema=ON',
        'information_schema_stats_expiry=0',
      ]);
    }
  });
  it('MySQL before 8.0.14: restricted session variables need SUPER', () => {
    expect(d('8.0.13').sessionSettings[0]!.privilege).toBe('SUPER');
  });
  it('MariaDB: ROW, FULL, no Annotate_rows events; log_bin_compress must be OFF globally', () => {
    const m = d('10.11.19-MariaDB-0+deb12u1-log');
    expect(m.sessionSettings.map((x) => `${x.variable}=${x.value}`)).toEqual([
      "binlog_format='ROW'",
      "binlog_row_image='FULL'",
      'binlog_annotate_row_events=OFF',
    ]);
    expect(m.sessionSettings[0]!.privilege).toBe('BINLOG ADMIN (or SUPER)');
    expect(m.globalRequirements.map((g) => `${g.variable}:${g.okValues.join('|')}`)).toEqual([
      'log_bin_compress:OFF',
    ]);
    expect(d('10.2.2-MariaDB').globalRequirements).toEqual([]);
    expect(d('10.4.30-MariaDB').sessionSettings[0]!.privilege).toBe('SUPER');
  });
  it('MySQL has no global requirement: every reader-facing option is set per session', () => {
    expect(d('8.4.3').globalRequirements).toEqual([]);
  });
});

describe('which assignments a session needs', () => {
  const settings = d('8.0.36').sessionSettings;
  it('sets what differs, skips what the server lacks, leaves what is already right', () => {
    const current = new Map<string, unknown>([
      ['binlog_format', 'ROW'],
      ['binlog_row_image', 'MINIMAL'],
      ['binlog_transaction_compression', 1],
      ['binlog_rows_query_log_events', 0],
      ['sql_require_primary_key', 'OFF'],
      // sql_generate_invisible_primary_key and show_gipk...: not on this server
    ]);
    expect(assignmentsFor(settings, current).map((x) => x.variable)).toEqual([
      'binlog_row_image',
      'binlog_transaction_compression',
    ]);
  });
  it('a quoted value compares with the bare value the server reports', () => {
    const current = new Map<string, unknown>([['binlog_format', 'row']]);
    expect(assignmentsFor(settings.slice(0, 1), current)).toEqual([]);
  });
});
