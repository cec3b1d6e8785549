/**
 * The main step: inputs -> runAction -> outputs; anything thrown fails the step. main.ts (the
 * bundle's entry) calls run() and exits; `npm run local-action` points @github/local-action at this
 * file, which imports it and calls run() with its stand-ins for @actions/core and @actions/artifact.
 */
import * as core from '@actions/core';
import { errorText } from '../model/errors.js';
import { redact } from '../model/log.js';
import { faultFromEnv } from '../engine/fault.js';
import { githubJournalStore, type JournalStore } from './artifact.js';
import { coreLogger, coreState, registerSecret, writeSummary } from './core-io.js';
import { readActionSettings } from './inputs.js';
import { LOCAL_ARTIFACT_PATH, checkLocalArtifactName, withLocalArtifacts } from './local-artifacts.js';
import { runAction } from './run.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The journal store: the artifact service, or under local-action its folder of zips. */
export function journalStore(env: NodeJS.ProcessEnv): JournalStore {
  const store = githubJournalStore(env);
  const local = env[LOCAL_ARTIFACT_PATH];
  return local ? withLocalArtifacts(store, local) : store;
}

function fail(message: string): void {
  core.setFailed(message);
  // The runner's @actions/core sets this too; local-action's stand-in only records the failure.
  process.exitCode = 1;
}

export async function run(): Promise<void> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const sig of SIGNALS) process.on(sig, abort);
  try {
    const short = registerSecret('password', core.getInput('password'));
    if (short) core.warning(short);
    registerSecret('github-token', core.getInput('github-token'));
    const settings = readActionSettings((n) => core.getInput(n), process.env);
    // The password may come from the option file or MYSQL_PWD instead: the runner masks it too.
    registerSecret('password', settings.flush.connection.password ?? '');
    const local = process.env[LOCAL_ARTIFACT_PATH];
    if (local && settings.mode === 'flush') checkLocalArtifactName(local, settings.artifact.name);
    const outcome = await runAction(settings, {
      log: coreLogger(),
      setOutput: (n, v) => core.setOutput(n, v),
      writeSummary,
      state: coreState,
      journals: journalStore(process.env),
      env: process.env,
      signal: controller.signal,
      fault: faultFromEnv(process.env),
    });
    if (!outcome.ok) fail(outcome.message);
  } catch (e) {
    fail(redact(errorText(e)));
  } finally {
    for (const sig of SIGNALS) process.off(sig, abort);
  }
}
