/**
 * Every action input -> one typed settings object, validated before anything connects. The only
 * module that knows input names; it gets a plain `getInput` so tests need no mocking.
 */
import { InputError } from '../model/errors.js';
import { addSecret } from '../model/log.js';
import {
  parseBoolInput,
  parseEnumInput,
  parseIntInput,
  type FlushSettings,
  type RecoverSettings,
  type VerifySettings,
} from '../model/settings.js';
import { ALL_SCHEMAS, buildFlushSettings, type InputSource } from '../config/build.js';
import { namesFor, type InputKey } from '../model/input-names.js';
import { RESUMABLE_KEYS, defaultOf, inputSpec, limitsOf, valuesOf } from '../model/inputs.js';

export type Mode = 'flush' | 'recover' | 'plan' | 'verify';
/** Placeholder for resumeFrom: the journal is the newest artifact of this run, fetched by run.ts. */
export const RESUME_FROM_ARTIFACT = '<artifact>';
export const MODES = valuesOf('mode') as readonly Mode[];

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
  /** mode: verify, and `verify: true` after a flush: the same server and journal. */
  verify: VerifySettings;
  /** Run verify right after a flush that flushed every table. */
  verifyAfterFlush: boolean;
  artifact: ArtifactSettings;
}

export type GetInput = (name: string) => string;

/** Names may hold only what an artifact name may hold. */
export function artifactBaseName(host: string, env: NodeJS.ProcessEnv): string {
  const raw = `binlog-flusher-journal-${host}-${env.GITHUB_JOB ?? 'job'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_');
}

const ARTIFACT_NAME_FORBIDDEN = /["':<>|*?\r\n\\/]/;

/**
 * action.yml's defaults of the inputs `resume` may take from the earlier run (an input left at its
 * default was not chosen; getInput cannot tell one from the other): the registry's, which a unit test
 * holds to action.yml.
 */
export const ACTION_DEFAULTS: Partial<Record<InputKey, string>> = Object.fromEntries(
  RESUMABLE_KEYS.map((k) => [k, inputSpec(k).action?.default ?? '']).filter(([, d]) => d !== ''),
);

/** The workflow's `with:` as an input source of the shared settings builder. */
function actionSource(getInput: GetInput): InputSource {
  const get = (key: InputKey) => {
    if (key === 'password') return getInput('password') || undefined;
    if (key === 'socket') return undefined;
    const v = getInput(key).trim();
    return v === '' ? undefined : v;
  };
  return {
    get,
    names: namesFor('action'),
    chosen: (key) => {
      const v = get(key);
      return v !== undefined && v.toLowerCase() !== (ACTION_DEFAULTS[key] ?? '');
    },
  };
}

/**
 * A flush (or its plan) that names no schema and no table is refused: in a workflow an input left
 * empty cannot be told from a variable that is not set (`databases: ${{ inputs.databases }}`), and
 * an unset variable must never widen a run to every schema. `databases: '*'` says "all" on purpose.
 * recover and verify work on a journal's tables, and a resume takes the earlier run's selection.
 */
function refuseNoSelection(mode: Mode, resume: boolean, get: (n: string) => string): void {
  if ((mode !== 'flush' && mode !== 'plan') || resume) return;
  if (get('databases') !== '' || get('tables') !== '') return;
  throw new InputError(
    'databases',
    `is empty, and so is tables: name the schemas to flush (comma-separated), or '${ALL_SCHEMAS}' for every schema but the system ones (an empty input is never read as all)`,
  );
}

export function readActionSettings(getInput: GetInput, env: NodeJS.ProcessEnv): ActionSettings {
  const get = (n: string) => getInput(n).trim();
  const mode = parseEnumInput('mode', get('mode'), defaultOf('mode', 'string') as Mode, MODES);
  const workspace = (env.RUNNER_TEMP || env.GITHUB_WORKSPACE || '.').replace(/\/$/, '');
  const resume = parseBoolInput('resume', get('resume'), false);
  refuseNoSelection(mode, resume, get);
  const flush = buildFlushSettings(actionSource(getInput), env, {
    dryRun: mode === 'plan',
    defaultHashfile: (host) => `${workspace}/${artifactBaseName(host, env)}.hashfile`,
    resumeFrom: resume ? RESUME_FROM_ARTIFACT : undefined,
  });
  // recover works on the same server and selection, with the journal of this run.
  const recover: RecoverSettings = {
    connection: flush.connection,
    selection: flush.selection,
    replication: flush.replication,
    hashfile: flush.hashfile!,
    dryRun: false,
    timeout: flush.timeout,
    lockWait: flush.lockWait,
  };
  const verify: VerifySettings = {
    connection: flush.connection,
    hashfile: flush.hashfile!,
    timeout: flush.timeout,
  };
  const verifyAfterFlush = parseBoolInput('verify', get('verify'), defaultOf('verify', 'boolean'));
  const host = flush.connection.host;
  return { mode, flush, recover, verify, verifyAfterFlush, artifact: artifactSettings(getInput, host, env) };
}

function artifactSettings(getInput: GetInput, host: string, env: NodeJS.ProcessEnv): ArtifactSettings {
  const get = (n: string) => getInput(n).trim();
  const name = get('artifact-name') || artifactBaseName(host, env);
  if (ARTIFACT_NAME_FORBIDDEN.test(name) || name.length > 200) {
    throw new InputError(
      'artifact-name',
      `${JSON.stringify(name)} may not contain " : < > | * ? \\ / or line breaks`,
    );
  }
  const runIdRaw = get('run-id');
  const runId = runIdRaw ? parseIntInput('run-id', runIdRaw, 0, limitsOf('run-id')) : undefined;
  const token = getInput('github-token') || undefined;
  if (token) addSecret(token);
  if (runId && !token)
    throw new InputError(
      'github-token',
      "is required with run-id (reading another run's artifacts needs actions: read)",
    );
  const retentionRaw = get('retention-days');
  return {
    name,
    retentionDays: retentionRaw
      ? parseIntInput('retention-days', retentionRaw, 0, limitsOf('retention-days'))
      : undefined,
    runId,
    token,
  };
}
