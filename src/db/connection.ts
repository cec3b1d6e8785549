/**
 * Connections: opened from the settings, always closed by whoever opened them, in `finally`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { TLSSocket, checkServerIdentity } from 'node:tls';
import mysql from 'mysql2/promise';
import type mysqlCallback from 'mysql2';
import type { ConnectionSettings } from '../model/settings.js';
import { namesFor, type Names } from '../model/input-names.js';
import { FlusherError, ExitCode, errorText, serverErrno } from '../model/errors.js';
import { addSecret, redact } from '../model/log.js';
import { connectionUnusable } from './failures.js';

export type Row = Record<string, unknown>;

/** A thin, typed handle over one server session. */
export class Db {
  readonly threadId: number;
  private _broken = false;
  /** The connection failed (fatal error or timeout) and must not be used again. */
  get broken(): boolean {
    return this._broken;
  }
  /**
   * @param timeoutMs the longest any statement may take before the server counts as not
   *   answering; the connection is then dropped.
   */
  constructor(
    private readonly conn: mysql.Connection,
    private readonly timeoutMs: number,
  ) {
    this.threadId = conn.threadId ?? 0;
    conn.on('error', () => this.drop());
  }

  /** Statements sent and not yet answered: failed at once when the connection is dropped. */
  private readonly waiting = new Set<(e: Error) => void>();

  private async query(sql: string, values?: unknown[]): Promise<unknown> {
    // A statement sent after a time-out would queue behind the one the server never answered and
    // wait forever: a broken connection refuses at once.
    if (this._broken) throw lostError();
    try {
      return await new Promise<unknown>((resolve, reject) => {
        this.waiting.add(reject);
        this.conn
          .query({ sql, values, timeout: this.timeoutMs })
          .then(([res]) => resolve(res), reject)
          .finally(() => this.waiting.delete(reject));
      });
    } catch (e) {
      if (connectionUnusable(e)) this.drop();
      throw e;
    }
  }

  /**
   * Gone for good. mysql2 leaves statements queued behind one that timed out waiting for a server
   * that stopped answering, and its destroy() only half-closes the socket: they are failed here,
   * and the socket destroyed.
   */
  private drop(): void {
    this._broken = true;
    for (const reject of [...this.waiting]) reject(lostError());
    this.waiting.clear();
    const stream = (this.conn as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection
      ?.stream;
    this.conn.destroy();
    stream?.destroy?.();
  }

  /** Rows of a single statement. */
  async rows<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)) as T[];
  }

  /** Run a statement (or several separated by `;`) and ignore the result. */
  async exec(sql: string, params?: unknown[]): Promise<void> {
    await this.query(sql, params);
  }

  /** Several statements in one round trip; one result per statement. */
  async multi(statements: string[]): Promise<unknown[]> {
    const res = await this.query(statements.join(';\n'));
    return statements.length > 1 ? (res as unknown[]) : [res];
  }

  async one<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return (await this.rows<T>(sql, params))[0];
  }

  /**
   * The rows of one statement, one at a time, in bounded memory: `onRow` handles each row as it is
   * read from the socket (synchronously, so nothing piles up), each value as the bytes the server
   * sent, NULL as null. Returns the number of rows. No statement timeout: a table's rows take as long
   * as they take. When `onRow` throws, the session is dropped (it is in the middle of a result).
   */
  async stream(sql: string, onRow: (row: (Buffer | null)[]) => void): Promise<number> {
    if (this._broken) throw lostError();
    const raw = (this.conn as unknown as { connection: mysqlCallback.Connection }).connection;
    let n = 0;
    let failed: unknown;
    try {
      await new Promise<void>((resolve, reject) => {
        raw
          .query({ sql, rowsAsArray: true, typeCast: (field: { buffer(): Buffer | null }) => field.buffer() })
          .on('result', (row) => {
            if (failed !== undefined) return;
            try {
              onRow(row as unknown as (Buffer | null)[]);
              n++;
            } catch (e) {
              failed = e;
              reject(e);
            }
          })
          .on('error', reject)
          .on('end', () => resolve());
      });
    } catch (e) {
      this.drop();
      throw e;
    }
    return n;
  }

  /** Close politely, but never wait on a server that does not answer. */
  async close(): Promise<void> {
    if (this._broken) return this.drop();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((r) => (timer = setTimeout(r, 2000)));
    try {
      await Promise.race([this.conn.end().catch(() => undefined), giveUp]);
    } catch {
      // already gone
    } finally {
      clearTimeout(timer);
      this.drop();
    }
  }
}

function lostError(): Error {
  return Object.assign(new Error('the connection to the server was lost'), {
    fatal: true,
    code: 'PROTOCOL_CONNECTION_LOST',
  });
}

function readPem(path: string, input: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new FlusherError(
      `${input}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`,
      ExitCode.badInput,
    );
  }
}

export function connectionOptions(s: ConnectionSettings): mysql.ConnectionOptions {
  addSecret(s.password);
  const opts: mysql.ConnectionOptions = {
    user: s.user,
    password: s.password ?? '',
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4_general_ci',
    connectTimeout: 10_000,
  };
  if (s.socket) opts.socketPath = s.socket;
  else {
    opts.host = s.host;
    opts.port = s.port;
  }
  const mode = s.ssl.mode;
  const n = namesFor(s.surface);
  const ca = n.name('ssl-ca');
  const fromCnf = (k: string) => `${n.name('mycnf')} ${k}`;
  if (mode !== 'DISABLED' && mode !== 'PREFERRED') {
    const ssl: Record<string, unknown> = { rejectUnauthorized: mode !== 'REQUIRED' };
    if (s.ssl.ca) ssl.ca = readPem(s.ssl.ca, ca);
    if (s.ssl.cert) ssl.cert = readPem(s.ssl.cert, fromCnf('ssl-cert'));
    if (s.ssl.key) ssl.key = readPem(s.ssl.key, fromCnf('ssl-key'));
    // mysql2 checks the host name itself when given one; an IP address it cannot check (Node would
    // compare the certificate against "localhost"), so `connect` checks those after the handshake.
    ssl.verifyIdentity = mode === 'VERIFY_IDENTITY' && isIP(s.host) === 0;
    opts.ssl = ssl;
  } else if (mode === 'PREFERRED' && s.ssl.ca) {
    opts.ssl = { ca: readPem(s.ssl.ca, ca), rejectUnauthorized: true };
  }
  return opts;
}

/** Open a connection, turning the usual failures into one clear message. */
/** Default for `--timeout`: longer than any statement of ours should ever take. */
export const DEFAULT_STATEMENT_TIMEOUT_S = 600;

export async function connect(s: ConnectionSettings, timeoutS = DEFAULT_STATEMENT_TIMEOUT_S): Promise<Db> {
  const where = s.socket ? `socket ${s.socket}` : `${s.host}:${s.port}`;
  try {
    const conn = await mysql.createConnection({
      ...connectionOptions(s),
      connectTimeout: Math.min(10_000, timeoutS * 1000),
    });
    if (s.ssl.mode === 'VERIFY_IDENTITY' && !s.socket) {
      const stream = (conn as unknown as { connection: { stream: unknown } }).connection.stream;
      const peer = stream instanceof TLSSocket ? stream.getPeerCertificate() : undefined;
      const bad = peer ? checkServerIdentity(s.host, peer) : new Error('the connection is not encrypted');
      if (bad) {
        conn.destroy();
        throw bad;
      }
    }
    return new Db(conn, timeoutS * 1000);
  } catch (e) {
    if (e instanceof FlusherError) throw e;
    throw new FlusherError(
      redact(`cannot connect to ${where} as ${s.user}: ${describeConnectError(e, namesFor(s.surface))}`),
      ExitCode.badInput,
      {
        cause: e,
      },
    );
  }
}

function describeConnectError(e: unknown, n: Names): string {
  const code = (e as { code?: string }).code;
  const errno = serverErrno(e);
  const [host, port, socket, mycnf, sslMode] = (['host', 'port', 'socket', 'mycnf', 'ssl-mode'] as const).map(
    (k) => n.name(k),
  );
  const secret =
    n.surface === 'action' ? `the ${n.name('password')} input or ${mycnf}` : `${mycnf} or MYSQL_PWD`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `unknown host; check ${host}`;
  if (code === 'ECONNREFUSED')
    return `connection refused; check ${host} and ${port}, and that the server is running`;
  if (code === 'ETIMEDOUT')
    return `timed out; check ${host}, ${port} and the network path, and that the server answers`;
  if (code === 'ENOENT') return `no such socket; check ${socket}`;
  if (errno === 1045) return `access denied; check the user and the password in ${secret}`;
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return `the server does not offer TLS but ${sslMode} requires it`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate is not for this host name (${errorText(e)}); check ${host} or ${sslMode}`;
  return errorText(e);
}
