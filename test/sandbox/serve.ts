/**
 * npm run sandbox -- [--sample] [--info FILE]: start a primary + replica on loopback, print how to
 * reach the replica (an option file with its password, and FILE as JSON), and keep them running
 * until SIGINT/SIGTERM.
 * Used by the repository's workflow that runs the action itself (`uses: ./`).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startSandbox } from './index.js';
import { waitCaughtUp, withSql } from '../support/db.js';
import { mycnfFor } from '../support/cli.js';

const args = process.argv.slice(2);
const infoFile = args.includes('--info') ? args[args.indexOf('--info') + 1] : undefined;

const sb = await startSandbox(process.env.BF_SANDBOX ?? 'local');
const { primary, replica } = sb.info;
if (args.includes('--sample')) {
  await withSql(primary, (c) =>
    c.query(`CREATE DATABASE sample; CREATE TABLE sample.t (id INT PRIMARY KEY, v VARCHAR(20));
             INSERT INTO sample.t VALUES (1, 'one'), (2, 'two'), (3, 'three');`),
  );
  await waitCaughtUp(primary, replica);
}
const info = {
  host: replica.host,
  port: replica.port,
  user: replica.user,
  password: replica.password,
  primaryPort: primary.port,
};
if (infoFile) writeFileSync(infoFile, JSON.stringify(info));
// The replica's option file (its password is the sandbox's own, in the source; never one of yours).
const cnf = mycnfFor(replica);
console.log(
  [
    `replica on ${replica.host}:${replica.port} (user ${replica.user}); primary on port ${primary.port}. Ctrl-C stops both.`,
    `option file of the replica (user, password, host, port): ${cnf}`,
    `try: npx binlog-flusher flush --mycnf ${cnf}${args.includes('--sample') ? ' --db sample' : ''} --dry-run`,
  ].join('\n'),
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sb.stop();
  rmSync(dirname(cnf), { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => undefined, 1 << 30);
