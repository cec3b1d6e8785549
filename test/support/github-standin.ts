/**
 * A stand-in for GitHub's artifact service (Twirp + blob storage) and the REST API used to read
 * another run's artifacts, as a real HTTP server on 127.0.0.1. It checks each upload's digest at
 * FinalizeArtifact, as the real service does.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface StoredArtifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  /** Numeric run id the REST API uses. */
  runId: number;
  bytes: Buffer;
  digest: string;
  finalized: boolean;
  /** The digest the client sent at finalize equals the bytes received. */
  hashVerified: boolean;
  createdAt: string;
}

export interface StandIn {
  url: string;
  artifacts: StoredArtifact[];
  requests: string[];
  /** A token for run N (numeric), job `job-1`. */
  tokenFor(runId: number): string;
  close(): Promise<void>;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startStandIn(): Promise<StandIn> {
  const artifacts: StoredArtifact[] = [];
  const requests: string[] = [];
  const blocks = new Map<string, Map<string, Buffer>>();
  let nextId = 1000;
  let base = '';
  const runOf = (backendId: string) => Number(backendId.replace(/^run-/, ''));

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    requests.push(`${req.method} ${url.pathname}`);
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname.startsWith(TWIRP)) {
      const method = url.pathname.slice(TWIRP.length);
      const msg = JSON.parse(body.toString() || '{}') as Record<string, string>;
      const run = msg.workflow_run_backend_id ?? '';
      const job = msg.workflow_job_run_backend_id ?? '';
      switch (method) {
        case 'CreateArtifact': {
          if (artifacts.some((a) => a.runBackendId === run && a.name === msg.name)) {
            return json(res, 409, { code: 'already_exists', msg: `artifact ${msg.name} exists` });
          }
          const a: StoredArtifact = {
            id: nextId++,
            name: msg.name!,
            runBackendId: run,
            jobBackendId: job,
            runId: runOf(run),
            bytes: Buffer.alloc(0),
            digest: '',
            finalized: false,
            hashVerified: false,
            createdAt: new Date().toISOString(),
          };
          artifacts.push(a);
          return json(res, 200, { ok: true, signed_upload_url: `${base}/acct/container/${a.id}.zip?sig=x` });
        }
        case 'FinalizeArtifact': {
          const a = artifacts.find((x) => x.runBackendId === run && x.name === msg.name && !x.finalized);
          if (!a) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
          const got = `sha256:${createHash('sha256').update(a.bytes).digest('hex')}`;
          if (msg.hash !== got || Number(msg.size) !== a.bytes.length) {
            return json(res, 400, {
              code: 'invalid_argument',
              msg: `digest or size mismatch: ${msg.hash} vs ${got}`,
            });
          }
          Object.assign(a, { finalized: true, digest: got, hashVerified: true });
          return json(res, 200, { ok: true, artifact_id: String(a.id) });
        }
        case 'ListArtifacts': {
          const list = artifacts.filter(
            (a) =>
              a.finalized &&
              a.runBackendId === run &&
              (!msg.name_filter || a.name === msg.name_filter) &&
              (!msg.id_filter || String(a.id) === String(msg.id_filter)),
          );
          return json(res, 200, {
            artifacts: list.map((a) => ({
              workflow_run_backend_id: a.runBackendId,
              workflow_job_run_backend_id: a.jobBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.bytes.length),
              created_at: a.createdAt,
              digest: a.digest,
            })),
          });
        }
        case 'GetSignedArtifactURL': {
          const a = artifacts.find((x) => x.runBackendId === run && x.name === msg.name && x.finalized);
          if (!a) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
          return json(res, 200, { signed_url: `${base}/blob/${a.id}.zip` });
        }
        case 'DeleteArtifact': {
          const i = artifacts.findIndex((x) => x.runBackendId === run && x.name === msg.name);
          if (i < 0) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
          const [a] = artifacts.splice(i, 1);
          return json(res, 200, { ok: true, artifact_id: String(a!.id) });
        }
        default:
          return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
      }
    }
    const put = /^\/acct\/container\/(\d+)\.zip$/.exec(url.pathname);
    if (req.method === 'PUT' && put) {
      const id = put[1]!;
      const comp = url.searchParams.get('comp');
      if (comp === 'block') {
        let m = blocks.get(id);
        if (!m) blocks.set(id, (m = new Map()));
        m.set(url.searchParams.get('blockid') ?? '', body);
      } else {
        const a = artifacts.find((x) => String(x.id) === id);
        if (!a) return json(res, 404, { code: 'not_found', msg: 'no such blob' });
        if (comp === 'blocklist') {
          const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
            (m) => m[1]!,
          );
          const m = blocks.get(id) ?? new Map<string, Buffer>();
          a.bytes = Buffer.concat(ids.map((b) => m.get(b) ?? Buffer.alloc(0)));
        } else {
          a.bytes = body;
        }
      }
      res.writeHead(201, { 'content-length': 0 });
      return res.end();
    }
    const blob = /^\/blob\/(\d+)\.zip$/.exec(url.pathname);
    if (req.method === 'GET' && blob) {
      const a = artifacts.find((x) => String(x.id) === blob[1]);
      if (!a) return json(res, 404, { code: 'not_found', msg: 'no such blob' });
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': a.bytes.length });
      return res.end(a.bytes);
    }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(url.pathname);
    if (req.method === 'GET' && list) {
      if (!/^(token|Bearer) /.test(req.headers.authorization ?? ''))
        return json(res, 401, { message: 'Bad credentials' });
      const name = url.searchParams.get('name');
      const found = artifacts.filter(
        (a) => a.finalized && a.runId === Number(list[3]) && (!name || a.name === name),
      );
      return json(res, 200, {
        total_count: found.length,
        artifacts: found.map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.bytes.length,
          created_at: a.createdAt,
          digest: a.digest,
        })),
      });
    }
    const zip = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/.exec(url.pathname);
    if (req.method === 'GET' && zip) {
      if (!/^(token|Bearer) /.test(req.headers.authorization ?? ''))
        return json(res, 401, { message: 'Bad credentials' });
      res.writeHead(302, { location: `${base}/blob/${zip[3]}.zip`, 'content-length': 0 });
      return res.end();
    }
    return json(res, 404, { code: 'bad_route', msg: `${req.method} ${url.pathname}` });
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => json(res, 400, { code: 'internal', msg: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url: base,
    artifacts,
    requests,
    tokenFor: (runId: number) =>
      `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ scp: `Actions.Results:run-${runId}:job-1` }))}.x`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
