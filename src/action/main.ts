/** Action entry point (main step): inputs -> runAction -> outputs; anything thrown fails the step. */
import * as core from '@actions/core';
import { errorText } from '../model/errors.js';
import { redact } from '../model/log.js';
import { faultFromEnv } from '../engine/fault.js';
import { githubJournalStore } from './artifact.js';
import { coreLogger, coreState, writeSummary } from './core-io.js';
import { readActionSettings } from './inputs.js';
import { runAction } from './run.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => controller.abort());

try {
  const password = core.getInput('password');
  if (password) core.setSecret(password);
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  const settings = readActionSettings((n) => core.getInput(n), process.env);
  const outcome = await runAction(settings, {
    log: coreLogger(),
    setOutput: (n, v) => core.setOutput(n, v),
    writeSummary,
    state: coreState,
    journals: githubJournalStore(process.env),
    env: process.env,
    signal: controller.signal,
    fault: faultFromEnv(process.env),
  });
  if (!outcome.ok) core.setFailed(outcome.message);
} catch (e) {
  core.setFailed(redact(errorText(e)));
}
// The result is out; a socket to a server that stopped answering must not hold the step open.
process.stdout.write('', () => process.exit());
