/**
 * Every action input -> one typed settings object, validated before anything connects. The only
 * module that knows input names; it gets a plain `getInput` so tests need no mocking.
 */
import { readMyCnf } from '../config/mycnf.js';
import { InputError } from '../errors.js';
import { addSecret } from '../log.js';
import {
  DEFAULTS,
  LIMITS,
  SSL_MODES,
  checkHost,
  parseBoolInput,
  parseEnumInput,
  parseIntInput,
  parseSchemas,
  parseTables,
  validateSelection,
  type ConnectionSettings,
  type FlushSettings,
  type RecoverSettings,
} from '../settings.js';

export type Mode = 'flush' | 'recover' | 'plan';
/** Placeholder for resumeFrom: the journal is the newest artifact of this run, fetched by run.ts. */
export const RESUME_FROM_ARTIFACT = '<artifact>';
export const MODES: readonly Mode[] = ['flush', 'recover', 'plan'];

export interface ArtifactSettings {
  /** Base name; the final journal goes under `<name>-final`. */
  name: string;
  retentionDays?: number;
  /** Another run to recover from. */
  runId?: number;
  token?: string;
}

export interface ActionSettings {
  mode: Mode;
  flush: FlushSettings;
  recover: RecoverSettings;
  artifact: ArtifactSettings;
}

export type GetInput = (name: string) => string;

/** Names may hold only what an artifact name may hold. */
export function artifactBaseName(host: string, env: NodeJS.ProcessEnv): string {
  const raw = `binlog-flusher-journal-${host}-${env.GITHUB_JOB ?? 'job'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_');
}

const ARTIFACT_NAME_FORBIDDEN = /["':<>|*?\r\n\\/]/;

export function readActionSettings(getInput: GetInput, env: NodeJS.ProcessEnv): ActionSettings {
  const get = (n: string) => getInput(n).trim();
  const mode = parseEnumInput('mode', get('mode'), 'flush', MODES);
  const password = getInput('password');
  if (password) addSecret(password);
  const mycnfPath = get('mycnf');
  const cnf = mycnfPath ? readMyCnf(mycnfPath, 'mycnf') : {};
  if (cnf.password) addSecret(cnf.password);
  const host = checkHost('host', get('host') || cnf.host);
  const sslCa = get('ssl-ca') || cnf['ssl-ca'];
  const connection: ConnectionSettings = {
    host,
    port: parseIntInput('port', get('port') || cnf.port, DEFAULTS.port, LIMITS.port),
    user: get('user') || cnf.user || 'root',
    password: password || cnf.password || env.MYSQL_PWD || undefined,
    ssl: {
      mode: parseEnumInput(
        'ssl-mode',
        get('ssl-mode') || cnf['ssl-mode'],
        sslCa ? 'VERIFY_CA' : 'DISABLED',
        SSL_MODES,
      ),
      ca: sslCa || undefined,
      cert: cnf['ssl-cert'],
      key: cnf['ssl-key'],
    },
  };
  const selection = validateSelection({
    databases: parseSchemas('databases', get('databases')),
    tables: parseTables('tables', get('tables')),
    skip: parseSchemas('skip', get('skip')),
  });
  const replication = {
    stopReplica: parseBoolInput('stop-replica', get('stop-replica'), DEFAULTS.stopReplica),
    startReplica: parseBoolInput('start-replica', get('start-replica'), DEFAULTS.startReplica),
  };
  if (replication.startReplica && !replication.stopReplica) {
    throw new InputError(
      'start-replica',
      'true conflicts with stop-replica: false (the applier is only started after we stopped it)',
    );
  }
  const workspace = env.RUNNER_TEMP || env.GITHUB_WORKSPACE || '.';
  const hashfile =
    get('hashfile') || `${workspace.replace(/\/$/, '')}/${artifactBaseName(host, env)}.hashfile`;
  const flush: FlushSettings = {
    connection,
    selection,
    replication,
    concurrency: parseIntInput('concurrency', get('concurrency'), DEFAULTS.concurrency, LIMITS.concurrency),
    chunkSize: parseIntInput('chunk-size', get('chunk-size'), DEFAULTS.chunkSize, LIMITS.chunkSize),
    ddl: parseEnumInput('ddl', get('ddl'), DEFAULTS.ddl, ['create', 'none'] as const),
    hashfile,
    dryRun: mode === 'plan',
    allowPrimary: parseBoolInput('allow-primary', get('allow-primary'), false),
    allowDownstream: parseBoolInput('allow-downstream', get('allow-downstream'), false),
    rotateBinlog: parseBoolInput('rotate-binlog', get('rotate-binlog'), false),
    timeout: parseIntInput('timeout', get('timeout'), DEFAULTS.timeout, LIMITS.timeout),
    lockWait: parseIntInput('lock-wait', get('lock-wait'), DEFAULTS.lockWait, LIMITS.lockWait),
    setReadOnly: parseBoolInput('set-read-only', get('set-read-only'), DEFAULTS.setReadOnly),
    allowWriters: parseBoolInput('allow-writers', get('allow-writers'), DEFAULTS.allowWriters),
    stopOnError: parseBoolInput('stop-on-error', get('stop-on-error'), DEFAULTS.stopOnError),
  };
  const name = get('artifact-name') || artifactBaseName(host, env);
  if (ARTIFACT_NAME_FORBIDDEN.test(name) || name.length > 200) {
    throw new InputError(
      'artifact-name',
      `${JSON.stringify(name)} may not contain " : < > | * ? \\ / or line breaks`,
    );
  }
  const runIdRaw = get('run-id');
  const runId = runIdRaw
    ? parseIntInput('run-id', runIdRaw, 0, { min: 1, max: Number.MAX_SAFE_INTEGER })
    : undefined;
  const token = getInput('github-token') || undefined;
  if (token) addSecret(token);
  if (runId && !token)
    throw new InputError(
      'github-token',
      "is required with run-id (reading another run's artifacts needs actions: read)",
    );
  const retentionRaw = get('retention-days');
  const artifact: ArtifactSettings = {
    name,
    retentionDays: retentionRaw
      ? parseIntInput('retention-days', retentionRaw, 0, { min: 1, max: 90 })
      : undefined,
    runId,
    token,
  };
  const resume = parseBoolInput('resume', get('resume'), false);
  if (resume) flush.resumeFrom = RESUME_FROM_ARTIFACT;
  const recover: RecoverSettings = {
    connection,
    selection,
    replication,
    hashfile,
    dryRun: false,
    timeout: flush.timeout,
    lockWait: flush.lockWait,
  };
  return { mode, flush, recover, artifact };
}
