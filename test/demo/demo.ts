/**
 * npm run demo: a throwaway primary + replica on loopback, a small shop schema, a real flush on the
 * replica, and what landed in its binlog. Everything is torn down at the end.
 */
import { flush } from '../../src/engine/flush.js';
import { formatReport } from '../../src/engine/report.js';
import { streamLogger } from '../../src/model/log.js';
import { VERSION } from '../../src/model/tool-version.js';
import { startSandbox } from '../sandbox/index.js';
import { MissingServerError } from '../sandbox/local.js';
import { readBinlog, rowsByTable } from '../support/binlog.js';
import { waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings } from '../support/flusher.js';
import { seqSql } from '../fixtures/kinds.js';

const SAMPLE = `
CREATE DATABASE shop;
USE shop;
CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, since DATETIME(6) NOT NULL);
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,
  FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE products (sku VARCHAR(20) PRIMARY KEY, price DECIMAL(10,2), price_with_vat DECIMAL(10,2) AS (price * 1.2) STORED);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
INSERT INTO customers (email, since) SELECT CONCAT('c', seq, '@example.com'), NOW(6) FROM seq_1_to_500;
INSERT INTO orders (customer_id, total) SELECT 1 + seq % 500, seq % 250 FROM seq_1_to_5000;
INSERT INTO products (sku, price) SELECT CONCAT('SKU-', seq), seq FROM seq_1_to_50;
`;

/** MySQL has no sequence engine: the same rows from a recursive CTE, deep enough for them. */
const MYSQL_SAMPLE =
  'SET SESSION cte_max_recursion_depth = 100000;\n' +
  SAMPLE.replaceAll(/FROM seq_1_to_(\d+)/g, (_m, n: string) => `FROM (${seqSql(false, Number(n))}) AS q`);

async function main(): Promise<void> {
  console.log('Starting a throwaway primary + replica on loopback...');
  const sb = await startSandbox(process.env.BF_SANDBOX ?? 'local');
  try {
    const { primary, replica, flavour } = sb.info;
    console.log(`primary 127.0.0.1:${primary.port}, replica 127.0.0.1:${replica.port} (${flavour})`);
    await withSql(primary, (c) => c.query(flavour === 'mariadb' ? SAMPLE : MYSQL_SAMPLE));
    await waitCaughtUp(primary, replica);
    console.log('Sample schema `shop` loaded on the primary and replicated.\n');

    const settings = flushSettings(replica, {
      selection: { databases: ['shop'], tables: [], skip: [] },
      replication: { stopReplica: true, startReplica: true },
      concurrency: 4,
    });
    const report = await flush(settings, { log: streamLogger(), toolVersion: VERSION });
    console.log('\n' + formatReport(report));

    const events = await readBinlog(replica, report.binlog!.start, report.binlog!.end!);
    console.log('\nWhat landed in the replica binlog (read back with the server binlog reader):');
    for (const e of events) if (e.kind === 'query') console.log(`  DDL  ${e.sql.split('\n')[0]} ...`);
    for (const [table, rows] of rowsByTable(events))
      console.log(`  rows ${table}: ${rows.length} row events`);
    const b = report.binlog!;
    console.log(
      `\nA CDC consumer starts reading at ${b.start.file}:${b.start.position} and has the snapshot at ${b.end!.file}:${b.end!.position}.`,
    );
    process.exitCode = report.exitCode;
  } finally {
    await sb.stop();
    console.log('Sandbox torn down.');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof MissingServerError ? e.message : e);
  process.exitCode = 1;
});
