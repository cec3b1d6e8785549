/** One entry for every kind of sandbox: same shape whatever runs the servers. */
import { isLocalKind, LOCAL_KINDS } from './binaries.js';
import { startLocalSandbox } from './local.js';
import type { SandboxInfo } from './types.js';

export interface RunningSandbox {
  info: SandboxInfo;
  stop(): Promise<void>;
}

export async function startSandbox(kind = 'local'): Promise<RunningSandbox> {
  if (kind.startsWith('container:')) {
    const { startContainerSandbox } = await import('./containers.js');
    return startContainerSandbox(kind.slice('container:'.length));
  }
  if (!isLocalKind(kind)) {
    throw new Error(`BF_SANDBOX=${kind}: expected ${LOCAL_KINDS.join(', ')}, none or container:<image>`);
  }
  const sb = await startLocalSandbox({ kind });
  const { servers: _s, stop, ...info } = sb;
  return { info, stop };
}
