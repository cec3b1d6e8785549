/**
 * Action entry point (post step, `post-if: always()`): when the main step did not end cleanly
 * (crash, kill, cancel), put back every table from the journal left on the runner, upload it, and
 * say what to do. A failure here is a warning, never a failure.
 */
import { existsSync } from 'node:fs';
import * as core from '@actions/core';
import { recover } from '../engine/recover.js';
import { errorText } from '../model/errors.js';
import { redact } from '../model/log.js';
import { finalName, githubJournalStore, withManifest } from './artifact.js';
import { coreLogger, coreState, registerSecret, writeSummary } from './core-io.js';
import { readActionSettings } from './inputs.js';
import { POST_STEP_LOCK_WAIT_S } from '../model/settings.js';
import { loadState } from './state.js';
import { recoverSummary, recoveryInstructions } from './summary.js';

try {
  const st = loadState(coreState);
  if (st.clean || !st.hashfile) {
    core.info('binlog-flusher: the main step ended cleanly; nothing to do');
  } else {
    registerSecret('password', core.getInput('password'));
    registerSecret('github-token', core.getInput('github-token'));
    const s = readActionSettings((n) => core.getInput(n), process.env);
    const log = coreLogger();
    const name = st.artifactName ?? s.artifact.name;
    if (!existsSync(st.hashfile)) {
      core.warning(
        `binlog-flusher: the main step did not finish and its journal ${st.hashfile} is gone.\n${recoveryInstructions(name, s.flush.connection.host, process.env.GITHUB_RUN_ID)}`,
      );
    } else {
      core.warning('binlog-flusher: the main step did not finish; putting every table back from the journal');
      // The killed main step's last statements may still run on the server: wait for them, don't fail.
      const lockWait = Math.max(s.recover.lockWait, POST_STEP_LOCK_WAIT_S);
      const report = await recover({ ...s.recover, hashfile: st.hashfile, lockWait }, { log });
      await writeSummary(recoverSummary(report)).catch(() => undefined);
      if (!st.uploadedFinal) {
        const up = await githubJournalStore(process.env).upload(
          finalName(name),
          withManifest(st.hashfile, (w) => core.warning(w)),
          s.artifact.retentionDays,
        );
        core.info(`journal uploaded as artifact ${up.name} (id ${up.id})`);
      }
      if (report.status !== 'recovered') {
        core.warning(
          `binlog-flusher: some tables could not be put back.\n${recoveryInstructions(name, s.flush.connection.host, process.env.GITHUB_RUN_ID)}`,
        );
      } else {
        core.info('binlog-flusher: every table is back in place');
      }
    }
  }
} catch (e) {
  core.warning(`binlog-flusher post step: ${redact(errorText(e))}`);
}
process.stdout.write('', () => process.exit(0));
