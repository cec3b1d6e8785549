/** TLS against the sandbox server, whose certificate a test CA made by openssl signed (for 127.0.0.1 only). */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { connect } from '../../src/db/connection.js';
import { makeTestCertificates } from '../sandbox/local.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { startStandIn } from '../support/github-standin.js';
import { newJob, runStep } from '../support/action-runner.js';
import { tempDir } from '../support/temp.js';

const sb = inject('sandbox')!;
const S = 'bf_tls';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { MYSQL_PWD: sb.replica.password },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}
const base = (host: string) => [
  'flush',
  '--host',
  host,
  '--port',
  String(sb.replica.port),
  '--user',
  sb.replica.user,
  '--db',
  S,
  '--dry-run',
];

describe.skipIf(!sb.replica.tlsCa)('TLS', () => {
  const ca = sb.replica.tlsCa!;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; CREATE TABLE ${S}.t (id INT PRIMARY KEY)`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });

  it('VERIFY_IDENTITY with the right CA and host name connects, and the session is encrypted', async () => {
    const r = await cli([...base('127.0.0.1'), '--ssl-mode', 'VERIFY_IDENTITY', '--ssl-ca', ca]);
    expect(r.code, r.stderr).toBe(0);
    const db = await connect({
      host: '127.0.0.1',
      port: sb.replica.port,
      user: sb.replica.user,
      password: sb.replica.password,
      ssl: { mode: 'VERIFY_IDENTITY', ca },
    });
    try {
      const row = await db.one("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      expect(String(row?.Value)).not.toBe('');
    } finally {
      await db.close();
    }
  });

  it('VERIFY_IDENTITY refuses a host name the certificate does not name', async () => {
    const r = await cli([...base('localhost'), '--ssl-mode', 'VERIFY_IDENTITY', '--ssl-ca', ca]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot connect to localhost:\d+ .*(altnames|does not match)/i);
  });

  it('VERIFY_CA refuses a certificate from another CA; REQUIRED encrypts without verifying', async () => {
    const other = makeTestCertificates(tempDir('bf-otherca-')).ca;
    const r = await cli([...base('127.0.0.1'), '--ssl-mode', 'VERIFY_CA', '--ssl-ca', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot connect .*(self-signed|unable to verify|certificate)/i);
    const req = await cli([...base('127.0.0.1'), '--ssl-mode', 'REQUIRED']);
    expect(req.code, req.stderr).toBe(0);
  });

  it('the action takes ssl-mode and ssl-ca too', async () => {
    const standIn = await startStandIn();
    try {
      const inputs = {
        mode: 'plan',
        host: '127.0.0.1',
        port: String(sb.replica.port),
        user: sb.replica.user,
        password: sb.replica.password,
        databases: S,
        'ssl-mode': 'VERIFY_IDENTITY',
        'ssl-ca': ca,
      };
      const ok = await runStep(newJob(standIn, 1), 'main', inputs);
      expect(ok.code, ok.stdout).toBe(0);
      expect(ok.outputs.status).toBe('planned');
      const bad = await runStep(newJob(standIn, 2), 'main', { ...inputs, host: 'localhost' });
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toMatch(/::error::cannot connect to localhost/);
    } finally {
      await standIn.close();
    }
  });
});
