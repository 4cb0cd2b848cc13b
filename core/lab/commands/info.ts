// `cloudvisor-lab info`: starts a host and prints its configuration as JSON.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { LabHost } from '../lab-host';
import { MACHINE_OPTIONS, MACHINE_USAGE, machineConfigFrom } from './machine-options';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'print the host configuration as JSON',
  usage: `cloudvisor-lab info [--seed HEX] ${MACHINE_USAGE}`,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({ args: [...args], strict: true, options: { seed: { type: 'string' }, ...MACHINE_OPTIONS } }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const machine = machineConfigFrom(values);
    const host = new LabHost({ machine, ...(values.seed !== undefined ? { seed: values.seed } : {}) });
    try {
      const info = await host.request('host.info', {});
      io.stdout(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    } finally {
      await host.close();
    }
  },
};
