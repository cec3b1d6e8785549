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
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  signal: controller.signal,
  tty: process.stderr.isTTY === true,
});
// Exit once the output is written: a socket to a server that stopped answering must not keep the
// process alive after the result is out (every connection was already closed or destroyed).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
