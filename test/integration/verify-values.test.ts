/**
 * verify by value against real servers: a clean run proves every table of the kinds schemas and every
 * column type by value (under each binlog_row_metadata setting); a change of any one column made on
 * the replica without logging is reported by table, key and column; a duplicated row and a missing
 * row with the same count are reported; after the applier wrote a table again, that table is compared
 * by count, and the report says why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../../src/model/log.js';
import { verify, type VerifyReport } from '../../src/verify/verify.js';
import { KINDS_SCHEMA, KINDS_SCHEMA2, kindsSql } from '../fixtures/kinds.js';
import { TYPES_TABLE, valueTypesSql } from '../fixtures/value-types.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { q, rows, settingsFor, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';

const sb = inject('sandbox')!;
const S = 'bf_values';

async function flushed(databases: string[], chunkSize = 7): Promise<string> {
  const s = flushSettings(sb.replica, { selection: { databases, tables: [], skip: [] }, chunkSize });
  const { report, log } = await runFlush(s);
  expect(report.status, log.lines.join('\n')).toBe('flushed');
  return s.hashfile!;
}

const verifyJournal = (hashfile: string) =>
  verify({ connection: settingsFor(sb.replica), hashfile, timeout: 60 }, memoryLogger());

/** Each table as [table, how it was compared, why not by value, equal]. */
const how = (v: VerifyReport) =>
  v.tables.map((t) => [t.table, t.values?.by, t.values?.why, t.values?.equal] as const);

/** Change rows on the replica without writing them to its binlog. */
const unlogged = (sql: string) =>
  withSql(sb.replica, (c) => c.query(`SET SESSION sql_log_bin = 0; SET SESSION sql_mode = ''; ${sql}`));

let maria118 = false;

async function createValuesSchema(): Promise<void> {
  await withSql(sb.primary, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S} DEFAULT CHARACTER SET utf8mb4;
      CREATE TABLE ${S}.t (id INT PRIMARY KEY, name VARCHAR(20), v INT, at DATETIME(6));
      INSERT INTO ${S}.t VALUES ${Array.from({ length: 40 }, (_, i) => `(${i + 1}, 'name ${i + 1}', ${i * 3}, '2024-01-02 03:04:05.${String(i).padStart(6, '0')}')`).join(', ')};
      CREATE TABLE ${S}.pairs (a INT, b VARCHAR(10)) ENGINE=InnoDB;
      INSERT INTO ${S}.pairs VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four');
      CREATE TABLE ${S}.other (id INT PRIMARY KEY, v INT);
      INSERT INTO ${S}.other VALUES (1, 1), (2, 2);`);
    await c.query(valueTypesSql(S, sb.flavour, maria118));
  });
  await startReplica(sb.replica).catch(() => undefined);
  await waitCaughtUp(sb.primary, sb.replica);
}

describe('verify by value', () => {
  beforeAll(async () => {
    const [v] = await withSql(sb.replica, (c) => rows<{ v: string }>(c, 'SELECT VERSION() AS v'));
    const [major, minor] = v!.v.split('.').map(Number);
    maria118 = sb.flavour === 'mariadb' && (major! > 11 || (major === 11 && minor! >= 7));
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(kindsSql(sb.flavour)));
    await createValuesSchema();
  }, 300_000);
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
  });

  it('a clean run: every table of the kinds schemas and every column type is compared by value, and equal', async () => {
    const hashfile = await flushed([KINDS_SCHEMA, KINDS_SCHEMA2, S], 100);
    const v = await verifyJournal(hashfile);
    expect(v.foreign).toEqual([]);
    expect(v.tables.length).toBeGreaterThan(20);
    expect(how(v).filter(([, by, , equal]) => by !== 'value' || equal !== true)).toEqual([]);
    expect(v.tables.find((t) => t.table === TYPES_TABLE)!.values).toEqual({
      by: 'value',
      equal: true,
      tableRows: 8,
    });
    expect(v.status).toBe('verified');
    // The CLI: a column that says how, and the --json result.
    const cli = await runCliProcess(['verify', '--mycnf', mycnfFor(sb.replica), '--hashfile', hashfile]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^table\s+journal rows\s+binlog rows\s+compared\s+result$/m);
    expect(cli.stdout).toMatch(new RegExp(`${S}\\.${TYPES_TABLE}\\s+8\\s+8\\s+by value\\s+ok`));
    expect(cli.stdout).toMatch(/Result: verified \((\d+) of \1 tables compared by value\)/);
    const json = await runCliProcess([
      'verify',
      '--json',
      '--mycnf',
      mycnfFor(sb.replica),
      '--hashfile',
      hashfile,
    ]);
    const r = JSON.parse(json.stdout) as VerifyReport;
    expect(r.tables.find((t) => t.table === 't')!.values).toEqual({
      by: 'value',
      equal: true,
      tableRows: 40,
    });
    // --counts-only reads no table, and says so.
    const counts = await runCliProcess([
      'verify',
      '--counts-only',
      '--mycnf',
      mycnfFor(sb.replica),
      '--hashfile',
      hashfile,
    ]);
    expect(counts.code, counts.stderr).toBe(0);
    expect(counts.stdout).toMatch(/\[1\] values not compared: counts only were asked for \(--counts-only\)/);
    expect(counts.stdout).toMatch(/Result: verified \(0 of \d+ tables compared by value\)/);
  });

  const settings = sb.flavour === 'mariadb' ? ['NO_LOG', 'MINIMAL', 'FULL'] : ['MINIMAL', 'FULL'];
  it.each(settings)('binlog_row_metadata=%s: every column type is equal by value', async (setting) => {
    const [old] = await withSql(sb.replica, (c) =>
      rows<{ v: string }>(c, 'SELECT @@GLOBAL.binlog_row_metadata AS v'),
    );
    await withSql(sb.replica, (c) => c.query(`SET GLOBAL binlog_row_metadata = ${setting}`));
    let hashfile: string;
    try {
      hashfile = await flushed([S]);
    } finally {
      await withSql(sb.replica, (c) => c.query(`SET GLOBAL binlog_row_metadata = ${old!.v}`));
    }
    const v = await verifyJournal(hashfile);
    expect(how(v)).toEqual([
      ['other', 'value', undefined, true],
      ['pairs', 'value', undefined, true],
      ['t', 'value', undefined, true],
      [TYPES_TABLE, 'value', undefined, true],
    ]);
    expect(v.status).toBe('verified');
  });

  it('every column: changed alone on the replica without logging, it is reported by table, key and column', async () => {
    const hashfile = await flushed([S]);
    const cols = await withSql(sb.replica, (c) =>
      rows<{ n: string; x: string }>(
        c,
        `SELECT COLUMN_NAME AS n, EXTRA AS x FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [S, TYPES_TABLE],
      ),
    );
    const plain = cols.filter((c) => !/GENERATED/i.test(c.x)).map((c) => c.n);
    const list = plain.map(q).join(', ');
    await unlogged(`CREATE TABLE ${S}.keep LIKE ${S}.${TYPES_TABLE};
      INSERT INTO ${S}.keep (${list}) SELECT ${list} FROM ${S}.${TYPES_TABLE} WHERE id = 1`);
    const missed: string[] = [];
    try {
      // Row 3 differs from row 1 in every column but lb (an empty LONGBLOB in both).
      for (const name of plain.filter((n) => n !== 'id' && n !== 'lb')) {
        await unlogged(
          `UPDATE ${S}.${TYPES_TABLE} t JOIN ${S}.${TYPES_TABLE} o ON o.id = 3 SET t.${q(name)} = o.${q(name)} WHERE t.id = 1`,
        );
        const v = await verifyJournal(hashfile);
        const t = v.tables.find((x) => x.table === TYPES_TABLE)!;
        const said = t.values?.differences ?? [];
        const generated = name === 'c' ? ', vgen' : '';
        if (
          v.status !== 'mismatch' ||
          !said.includes(
            `id=1: column${generated ? 's' : ''} ${name}${generated} differ${generated ? '' : 's'}`,
          )
        )
          missed.push(`${name}: ${JSON.stringify(t.values)}`);
        await unlogged(
          `UPDATE ${S}.${TYPES_TABLE} t JOIN ${S}.keep k ON k.id = 1 SET t.${q(name)} = k.${q(name)} WHERE t.id = 1`,
        );
      }
    } finally {
      await unlogged(`DROP TABLE ${S}.keep`);
    }
    expect(missed).toEqual([]);
    expect((await verifyJournal(hashfile)).status).toBe('verified');
  }, 600_000);

  it('a row changed on the replica without logging after the flush: table, key and column, exit 6, no value shown', async () => {
    const hashfile = await flushed([S]);
    await unlogged(`UPDATE ${S}.t SET name = 'secret-value-x' WHERE id = 17`);
    try {
      const v = await verifyJournal(hashfile);
      expect(v.status).toBe('mismatch');
      expect(v.exitCode).toBe(6);
      const t = v.tables.find((x) => x.table === 't')!;
      expect(t.problems).toEqual(["values differ from the binlog's (same number of rows)"]);
      expect(t.values).toEqual({
        by: 'value',
        equal: false,
        tableRows: 40,
        differences: ['id=17: column name differs'],
      });
      expect(v.tables.filter((x) => x.problems.length).map((x) => x.table)).toEqual(['t']);
      const cli = await runCliProcess(['verify', '--mycnf', mycnfFor(sb.replica), '--hashfile', hashfile]);
      expect(cli.code).toBe(6);
      expect(cli.stdout).toMatch(new RegExp(`${S}\\.t\\s+40\\s+40\\s+by value\\s+MISMATCH: values differ`));
      expect(cli.stdout).toMatch(new RegExp(`^  ${S}\\.t: id=17: column name differs$`, 'm'));
      expect(cli.stdout + cli.stderr).not.toMatch(/secret-value-x|name 17/);
    } finally {
      await unlogged(`UPDATE ${S}.t SET name = 'name 17' WHERE id = 17`);
    }
    expect((await verifyJournal(hashfile)).status).toBe('verified');
  });

  it('a duplicated row and a missing row with the same count: reported with a key and without one', async () => {
    const hashfile = await flushed([S]);
    // Without a key: (3, 'three') gone, (1, 'one') twice; 4 rows still.
    await unlogged(`DELETE FROM ${S}.pairs WHERE a = 3; INSERT INTO ${S}.pairs VALUES (1, 'one')`);
    // With a key: row 5 gone, and row 2's values again under a key the binlog never had; 40 rows still.
    await unlogged(`DELETE FROM ${S}.t WHERE id = 5;
      INSERT INTO ${S}.t SELECT 99, name, v, at FROM ${S}.t WHERE id = 2`);
    try {
      const v = await verifyJournal(hashfile);
      expect(v.status).toBe('mismatch');
      const pairs = v.tables.find((x) => x.table === 'pairs')!;
      expect([pairs.expected, pairs.found, pairs.values?.tableRows]).toEqual([4, 4, 4]);
      expect(pairs.problems).toEqual(["values differ from the binlog's (same number of rows)"]);
      const d = pairs.values!.differences!;
      expect(d).toHaveLength(2);
      expect(d).toContainEqual(
        expect.stringMatching(
          /^a row without a key \(~[0-9a-f]{8}\): in the binlog once, in the table twice$/,
        ),
      );
      expect(d).toContainEqual(
        expect.stringMatching(/^a row without a key \(~[0-9a-f]{8}\): in the binlog once, not in the table$/),
      );
      const t = v.tables.find((x) => x.table === 't')!;
      expect([t.found, t.values?.tableRows]).toEqual([40, 40]);
      expect([...t.values!.differences!].sort()).toEqual([
        'id=5: in the binlog once, not in the table',
        'id=99: in the table once, not in the binlog',
      ]);
    } finally {
      await unlogged(`DELETE FROM ${S}.pairs WHERE a = 1 LIMIT 1; INSERT INTO ${S}.pairs VALUES (3, 'three');
        DELETE FROM ${S}.t WHERE id = 99; INSERT INTO ${S}.t VALUES (5, 'name 5', 12, '2024-01-02 03:04:05.000004')`);
    }
    expect((await verifyJournal(hashfile)).status).toBe('verified');
  });

  it('after the applier ran again and wrote a table: that table is compared by count, and the report says why', async () => {
    const hashfile = await flushed([S]);
    await startReplica(sb.replica);
    await withSql(sb.primary, (c) => c.query(`UPDATE ${S}.t SET v = v + 1 WHERE id = 3`));
    await waitCaughtUp(sb.primary, sb.replica);
    const v = await verifyJournal(hashfile);
    expect(v.status).toBe('verified');
    const t = v.tables.find((x) => x.table === 't')!;
    expect(t.values?.by).toBe('count');
    expect(t.values?.why).toMatch(/^written after the run \(update rows at [^ ]+\.\d+:\d+\)$/);
    expect(how(v).filter(([table]) => table !== 't')).toEqual([
      ['other', 'value', undefined, true],
      ['pairs', 'value', undefined, true],
      [TYPES_TABLE, 'value', undefined, true],
    ]);
    const cli = await runCliProcess(['verify', '--mycnf', mycnfFor(sb.replica), '--hashfile', hashfile]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`${S}\\.t\\s+40\\s+40\\s+by count \\[1\\]\\s+ok`));
    expect(cli.stdout).toMatch(/^\[1\] values not compared: written after the run \(update rows at /m);
    await withSql(sb.primary, (c) => c.query(`UPDATE ${S}.t SET v = v - 1 WHERE id = 3`));
    await waitCaughtUp(sb.primary, sb.replica);
  });

  it.skipIf(sb.flavour !== 'mysql')(
    'MySQL VECTOR between character, ENUM and unsigned columns, under MINIMAL and FULL row metadata: verified by value, a change found',
    async () => {
      const [old] = await withSql(sb.replica, (c) =>
        rows<{ v: string }>(c, 'SELECT @@GLOBAL.binlog_row_metadata AS v'),
      );
      await withSql(sb.primary, (c) =>
        c.query(`CREATE TABLE ${S}.vec (id INT PRIMARY KEY, v VECTOR(3), l1 VARCHAR(5) CHARACTER SET latin1,
                   w VECTOR(1) NOT NULL, e ENUM('x', 'é'), u16 CHAR(3) CHARACTER SET utf16, n INT UNSIGNED);
                 INSERT INTO ${S}.vec VALUES
                   (1, STRING_TO_VECTOR('[1,2.5,-3e38]'), 'é', STRING_TO_VECTOR('[0]'), 'é', 'ü', 4294967295),
                   (2, NULL, NULL, STRING_TO_VECTOR('[-0.125]'), NULL, NULL, NULL)`),
      );
      await waitCaughtUp(sb.primary, sb.replica);
      try {
        for (const setting of ['MINIMAL', 'FULL']) {
          await withSql(sb.replica, (c) => c.query(`SET GLOBAL binlog_row_metadata = ${setting}`));
          const hashfile = await flushed([S]);
          const v = await verifyJournal(hashfile);
          expect(how(v), setting).toEqual([
            ['other', 'value', undefined, true],
            ['pairs', 'value', undefined, true],
            ['t', 'value', undefined, true],
            [TYPES_TABLE, 'value', undefined, true],
            ['vec', 'value', undefined, true],
          ]);
          await unlogged(`UPDATE ${S}.vec SET w = STRING_TO_VECTOR('[0.5]') WHERE id = 2`);
          const changed = await verifyJournal(hashfile);
          expect(changed.tables.find((x) => x.table === 'vec')!.values?.differences, setting).toEqual([
            'id=2: column w differs',
          ]);
          await unlogged(`UPDATE ${S}.vec SET w = STRING_TO_VECTOR('[-0.125]') WHERE id = 2`);
        }
      } finally {
        await withSql(sb.replica, (c) => c.query(`SET GLOBAL binlog_row_metadata = ${old!.v}`));
        await withSql(sb.primary, (c) => c.query(`DROP TABLE ${S}.vec`));
        await startReplica(sb.replica).catch(() => undefined);
        await waitCaughtUp(sb.primary, sb.replica);
      }
    },
  );
});
