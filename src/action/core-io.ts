/** The action's I/O through @actions/core (the only module besides the entry points that uses it). */
import * as core from '@actions/core';
import type { Logger } from '../model/log.js';
import { redact } from '../model/log.js';
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
