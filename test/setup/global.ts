/**
 * Starts one sandbox (primary + replica) for the whole test run and always tears it down.
 * BF_SANDBOX selects it: unset or `local` (server binaries on PATH), `mysql` or `mariadb-lts` (a
 * flavour root run with chroot), `container:<image>` (Docker, through testcontainers), or `none`: no
 * server, and vitest.config.ts then runs test/unit alone (what `npm run test:unit` runs).
 */
import 'vitest';
import type { TestProject } from 'vitest/node';
import type { SandboxInfo } from '../sandbox/types.js';
import { startSandbox } from '../sandbox/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxInfo | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = process.env.BF_SANDBOX ?? 'local';
  if (kind === 'none') {
    project.provide('sandbox', null);
    return async () => undefined;
  }
  const sb = await startSandbox(kind);
  project.provide('sandbox', sb.info);
  return async () => {
    await sb.stop();
  };
}
