/** Running the engine in-process with a sandbox server's settings. */
import { flush, type FlushDeps } from '../../src/engine/flush.js';
import { recover } from '../../src/engine/recover.js';
import { memoryLogger } from '../../src/model/log.js';
import { DEFAULTS, type FlushSettings, type RecoverSettings } from '../../src/model/settings.js';
import { VERSION } from '../../src/model/tool-version.js';
import type { ServerInfo } from '../sandbox/types.js';
import { settingsFor } from './db.js';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export function tempHashfile(): string {
  return join(tempDir('bf-journal-'), 'run.hashfile');
}

export function flushSettings(server: ServerInfo, over: Partial<FlushSettings> = {}): FlushSettings {
  return {
    connection: settingsFor(server),
    selection: { databases: [], tables: [], skip: [] },
    replication: { stopReplica: DEFAULTS.stopReplica, startReplica: DEFAULTS.startReplica },
    concurrency: 3,
    chunkSize: 1000,
    ddl: 'create',
    hashfile: tempHashfile(),
    dryRun: false,
    allowPrimary: false,
    allowDownstream: false,
    rotateBinlog: false,
    timeout: 600,
    lockWait: DEFAULTS.lockWait,
    setReadOnly: DEFAULTS.setReadOnly,
    allowWriters: DEFAULTS.allowWriters,
    stopOnError: DEFAULTS.stopOnError,
    ...over,
  };
}

export async function runFlush(s: FlushSettings, deps: Partial<FlushDeps> = {}) {
  const log = memoryLogger();
  const report = await flush(s, { log, toolVersion: VERSION, ...deps });
  return { report, log };
}

export async function runRecover(server: ServerInfo, hashfile: string, over: Partial<RecoverSettings> = {}) {
  const log = memoryLogger();
  const report = await recover(
    {
      connection: settingsFor(server),
      selection: { databases: [], tables: [], skip: [] },
      replication: { stopReplica: true, startReplica: false },
      hashfile,
      dryRun: false,
      timeout: 600,
      lockWait: DEFAULTS.lockWait,
      ...over,
    },
    { log },
  );
  return { report, log };
}
