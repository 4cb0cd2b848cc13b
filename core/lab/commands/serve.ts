// `cloudvisor-lab serve`: the lab in a browser. Hosts one emulated host and the built renderer on
// loopback and prints the URL (with its per-run token) to open.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { LabHost } from '../lab-host';
import { startWebServer } from '../web-server';
import { MACHINE_OPTIONS, MACHINE_USAGE, machineConfigFrom } from './machine-options';

function defaultWebRoot(): string {
  for (const candidate of ['../web/', '../../dist/web/']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}/index.html`)) return path;
  }
  throw new Error('the renderer is not built: run `npm run build:web` (or `npm run serve`, which builds it)');
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the lab to a browser on this machine',
  usage: `cloudvisor-lab serve [--port N] [--host ADDRESS] [--seed HEX] ${MACHINE_USAGE}`,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: { port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, ...MACHINE_OPTIONS },
        strict: true,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad port ${values.port}`);
    const host = values.host ?? '127.0.0.1';
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      io.stderr(`warning: serving on ${host} exposes the lab beyond this machine; the token is all that guards it\n`);
    }
    const webRoot = defaultWebRoot();
    // The browser lab starts as the desktop app does: the same guests on a bare and a protected host.
    const machine = machineConfigFrom(values, 'both');
    const lab = new LabHost({ autoStart: true, machine, ...(values.seed !== undefined ? { seed: values.seed } : {}) });
    const server = await startWebServer({ lab, port, host, webRoot });
    io.stdout(`CloudVisor Lab is serving at ${server.url}\n`);
    io.stdout('Press Ctrl+C to stop.\n');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.close();
    await lab.close();
    return 0;
  },
};
