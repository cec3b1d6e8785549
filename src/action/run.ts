/**
 * The action's modes over the engine: flush (journal uploaded before the first change and at the
 * end), plan, and recover (journal downloaded from this run or another). Knows nothing of
 * @actions/core: main.ts passes in the I/O.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flush, type FlushDeps } from '../engine/flush.js';
import { recover } from '../engine/recover.js';
import type { RunReport } from '../engine/report.js';
import { partialTotals, totals } from '../engine/report.js';
import { FlusherError, errorText } from '../model/errors.js';
import { checkFlushPaths } from '../config/build.js';
import type { Logger } from '../model/log.js';
import { redact } from '../model/log.js';
import { VERSION } from '../model/tool-version.js';
import { finalName, withManifest, type JournalStore } from './artifact.js';
import { LOCAL_ARTIFACT_PATH } from './local-artifacts.js';
import { verify } from '../verify/verify.js';
import { RESUME_FROM_ARTIFACT, type ActionSettings } from './inputs.js';
import { resumeFromJournal } from '../config/resume.js';
import { saveState, type StateStore } from './state.js';
import {
  flushSummary,
  provenByValue,
  recoverSummary,
  recoveryInstructions,
  verifySummary,
} from './summary.js';

export interface ActionIo {
  log: Logger;
  setOutput(name: string, value: string): void;
  writeSummary(markdown: string): Promise<void>;
  state: StateStore;
  journals: JournalStore;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  fault?: FlushDeps['fault'];
}

export interface ActionOutcome {
  ok: boolean;
  message: string;
}

export const OUTPUTS = [
  'status',
  'tables-flushed',
  'rows-flushed',
  'hashfile',
  'artifact-id',
  'artifact-url',
  'binlog-start',
  'binlog-end',
  'gtid-start',
  'gtid-end',
  'manifest',
  'verify',
  'verified-by-value',
] as const;

/** The outcome of a resume of a run that had finished every table. */
const NOTHING = 'nothing-to-flush';

/** A flush's outputs, from its report. Pure. */
export function flushOutputs(r: RunReport): Partial<Record<(typeof OUTPUTS)[number], string>> {
  const t = totals(r);
  return {
    status: r.status,
    'tables-flushed': String(t.tables),
    // Every row the binlog holds: a table put back part-copied (a cancel, a failure) wrote rows too.
    'rows-flushed': String(t.rows + partialTotals(r).rows),
    hashfile: r.hashfile ?? '',
    'binlog-start': r.binlog ? `${r.binlog.start.file}:${r.binlog.start.position}` : '',
    'binlog-end': r.binlog?.end ? `${r.binlog.end.file}:${r.binlog.end.position}` : '',
    'gtid-start': r.binlog?.start.gtid ?? '',
    'gtid-end': r.binlog?.end?.gtid ?? '',
    manifest: r.manifest ?? '',
  };
}

function setFlushOutputs(io: ActionIo, r: RunReport): void {
  for (const [name, value] of Object.entries(flushOutputs(r))) io.setOutput(name, value);
}

export async function runAction(s: ActionSettings, io: ActionIo): Promise<ActionOutcome> {
  if (s.mode === 'recover') return runRecover(s, io);
  if (s.mode === 'verify') return runVerify(s, io);
  const flushed = await runFlush(s, io);
  // A resume with nothing to flush wrote no journal of its own: nothing to verify.
  if (!flushed.ok || s.mode !== 'flush' || !s.verifyAfterFlush || flushed.message === NOTHING) return flushed;
  return runVerify(s, io, s.flush.hashfile);
}

/** The journal of this run on the runner, else the newest journal artifact (of this run or run-id's). */
async function journalFor(s: ActionSettings, io: ActionIo, path: string): Promise<string> {
  if (existsSync(path) && !s.artifact.runId) return path;
  const from =
    s.artifact.runId && s.artifact.token ? { runId: s.artifact.runId, token: s.artifact.token } : undefined;
  const got = await io.journals.download(s.artifact.name, dirname(resolve(path)), from);
  const where = from
    ? `run ${from.runId}`
    : io.env[LOCAL_ARTIFACT_PATH]
      ? 'the local artifact folder'
      : 'this run';
  io.log.info(`journal downloaded from ${where}: ${got}`);
  return got;
}

/** mode: verify, or `verify: true` after a flush (`path`: the journal the flush just wrote). */
async function runVerify(s: ActionSettings, io: ActionIo, path?: string): Promise<ActionOutcome> {
  try {
    const hashfile = path ?? (await journalFor(s, io, s.verify.hashfile));
    const report = await verify({ ...s.verify, hashfile }, io.log);
    io.setOutput(path ? 'verify' : 'status', report.status);
    io.setOutput('verified-by-value', JSON.stringify(provenByValue(report)));
    await io.writeSummary(verifySummary(report));
    return report.ok
      ? { ok: true, message: 'verified' }
      : {
          ok: false,
          message: 'verify: the binlog does not hold exactly what the journal says; see the job summary',
        };
  } catch (e) {
    if (e instanceof FlusherError) return { ok: false, message: redact(e.message) };
    throw e;
  }
}

/**
 * Before the flush: its paths (the journal's directory, the pause file's), and with `resume: true`
 * the journal of the earlier attempt with its selection and settings (an input set to another value
 * is refused). Returns the outcome when refused.
 */
async function prepareFlush(s: ActionSettings, io: ActionIo): Promise<ActionOutcome | undefined> {
  try {
    checkFlushPaths(s.flush);
    if (s.flush.resumeFrom === RESUME_FROM_ARTIFACT) {
      const earlier = await io.journals.download(s.artifact.name, dirname(resolve(s.flush.hashfile!)));
      io.log.info(`resume: using the journal of the earlier attempt (${earlier})`);
      s.flush = resumeFromJournal({ ...s.flush, resumeFrom: earlier }, earlier);
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof FlusherError)) throw e;
    io.setOutput('status', 'refused');
    saveState(io.state, { clean: true });
    return { ok: false, message: redact(e.message) };
  }
}

async function runFlush(s: ActionSettings, io: ActionIo): Promise<ActionOutcome> {
  const { log } = io;
  const name = s.artifact.name;
  saveState(io.state, { artifactName: name });
  let journalReady = false;
  /** The final journal, with the manifest the flush wrote (or one built now, when it got no further). */
  const uploadFinal = async (path: string, manifest?: string) => {
    const up = await io.journals.upload(
      finalName(name),
      manifest ? [path, manifest] : withManifest(path, (w) => log.warn(w)),
      s.artifact.retentionDays,
    );
    saveState(io.state, { uploadedFinal: true });
    io.setOutput('artifact-id', String(up.id));
    io.setOutput('artifact-url', up.url);
    log.info(`journal uploaded as artifact ${up.name} (id ${up.id})`);
  };
  let report: RunReport;
  const refused = await prepareFlush(s, io);
  if (refused) return refused;
  try {
    report = await flush(s.flush, {
      log,
      toolVersion: VERSION,
      signal: io.signal,
      fault: io.fault,
      onJournalReady: async (path) => {
        saveState(io.state, { hashfile: path });
        journalReady = true;
        const up = await io.journals.upload(name, [path], s.artifact.retentionDays);
        io.setOutput('artifact-id', String(up.id));
        io.setOutput('artifact-url', up.url);
        log.info(`journal (the plan) uploaded as artifact ${up.name} (id ${up.id}) before the first change`);
      },
    });
  } catch (e) {
    // Failed outside a table (or before the first change). The engine left nothing set aside
    // except where it says so; the journal, if any, is uploaded for the record.
    io.setOutput('status', journalReady ? 'failed' : 'refused');
    io.setOutput('hashfile', journalReady ? (s.flush.hashfile ?? '') : '');
    if (journalReady && s.flush.hashfile && existsSync(s.flush.hashfile)) {
      await uploadFinal(s.flush.hashfile).catch((u: unknown) => log.warn(errorText(u)));
    }
    saveState(io.state, { clean: !journalReady });
    const msg = redact(errorText(e));
    await io
      .writeSummary(`## binlog-flusher: ${journalReady ? 'failed' : 'refused'}\n\n\`\`\`\n${msg}\n\`\`\`\n`)
      .catch(() => undefined);
    return { ok: false, message: msg };
  }
  setFlushOutputs(io, report);
  if (report.hashfile) await uploadFinal(report.hashfile, report.manifest);
  const left = report.status === 'recovery-needed';
  const hint = left ? recoveryInstructions(name, s.flush.connection.host, io.env.GITHUB_RUN_ID) : undefined;
  await io.writeSummary(flushSummary(report, hint));
  saveState(io.state, { clean: true });
  if (report.nothing) return { ok: true, message: NOTHING };
  if (report.status === 'flushed' || report.status === 'planned') return { ok: true, message: report.status };
  if (report.cancelled) {
    const what = report.stopReason ?? 'cancelled';
    return {
      ok: false,
      message: left
        ? `${what}; some tables need recovery:\n${hint}`
        : `${what}: the running copies were stopped and every table is back in place`,
    };
  }
  return {
    ok: false,
    message: left
      ? `flush failed and some tables are still set aside:\n${hint}`
      : `flush failed and every table was put back: ${report.tables.find((t) => t.error)?.error ?? ''}`,
  };
}

async function runRecover(s: ActionSettings, io: ActionIo): Promise<ActionOutcome> {
  const { log } = io;
  const path = await journalFor(s, io, s.recover.hashfile);
  try {
    const report = await recover({ ...s.recover, hashfile: path }, { log });
    io.setOutput('status', report.status);
    io.setOutput('hashfile', path);
    await io.writeSummary(recoverSummary(report));
    return report.status === 'recovered'
      ? { ok: true, message: 'recovered' }
      : { ok: false, message: 'recovery incomplete: see the tables marked NOT restored' };
  } catch (e) {
    if (e instanceof FlusherError) return { ok: false, message: redact(e.message) };
    throw e;
  }
}
