#!/usr/bin/env node
// The `cloudvisor-lab` command: runs the built CLI (dist/node/cli.mjs), building it first in a
// fresh checkout where `npm install` has not run the build.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/node/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  const builder = fileURLToPath(new URL('../build/build.mjs', import.meta.url));
  const built = spawnSync(process.execPath, [builder, 'node'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}
const { runCli } = await import(pathToFileURL(cli).href);
const io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
process.exitCode = await runCli(process.argv.slice(2), io);
