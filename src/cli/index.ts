#!/usr/bin/env node
import { runCli } from './program.js';

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals += 1;
    if (signals > 2) process.exit(130);
    controller.abort();
  });
}
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  signal: controller.signal,
});
