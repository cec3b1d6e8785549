/** One entry for every kind of sandbox: same shape whatever runs the servers. */
import { isLocalKind, LOCAL_KINDS } from './binaries.js';
import { startLocalSandbox } from './local.js';
import type { SandboxInfo, ServerInfo } from './types.js';

export interface RunningSandbox {
  info: SandboxInfo;
  stop(): Promise<void>;
}

/**
 * BF_HIDE_DATADIR=1: the tests see no datadir of any server, whatever the sandbox, as in a container
 * job; what only a server's files allow (its pid file, say) then skips, and the rest must hold
 * without them. The sandbox itself still uses them (to stop its servers).
 */
export function withoutDatadirs(info: SandboxInfo): SandboxInfo {
  const hide = ({ datadir: _d, ...s }: ServerInfo): ServerInfo => s;
  return { ...info, primary: hide(info.primary), replica: hide(info.replica) };
}

async function start(kind: string): Promise<RunningSandbox> {
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

export async function startSandbox(kind = 'local'): Promise<RunningSandbox> {
  const sb = await start(kind);
  return process.env.BF_HIDE_DATADIR === '1' ? { ...sb, info: withoutDatadirs(sb.info) } : sb;
}
