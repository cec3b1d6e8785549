/** The action's I/O through @actions/core (the only module besides the entry points that uses it). */
import * as core from '@actions/core';
import type { Logger } from '../model/log.js';
import { SHORT_SECRET_LENGTH, addSecret, redact } from '../model/log.js';
import type { StateStore } from './state.js';

export function coreLogger(): Logger {
  return {
    debug: (m) => core.debug(redact(m)),
    info: (m) => core.info(redact(m)),
    warn: (m) => core.warning(redact(m)),
    error: (m) => core.error(redact(m)),
    group: (title, fn) => core.group(title, fn),
  };
}

export const coreState: StateStore = {
  save: (n, v) => core.saveState(n, v),
  get: (n) => core.getState(n),
};

export async function writeSummary(markdown: string): Promise<void> {
  await core.summary.addRaw(redact(markdown)).write();
}

/**
 * Keep a secret out of everything this step prints (our own rule, whole tokens only), and have the
 * runner mask it in the job's log too (`core.setSecret`). The runner masks a value wherever its
 * characters occur, inside words too, for the rest of the job: a secret of 1 to 3 characters would
 * turn ordinary words into `***` in every later line, so it is not registered with the runner (our own
 * output never holds it). Returns a warning to print for such a short secret, naming only the input.
 */
export function registerSecret(input: string, value: string): string | undefined {
  if (!value) return undefined;
  addSecret(value);
  if ([...value].length >= SHORT_SECRET_LENGTH) {
    core.setSecret(value);
    return undefined;
  }
  return (
    `the ${input} input is shorter than ${SHORT_SECRET_LENGTH} characters. binlog-flusher never prints it, ` +
    `but when it comes from a GitHub secret the runner masks its characters wherever they occur in this ` +
    `job's log, inside words too (\`***\` where a word stood); a longer password avoids that`
  );
}
