// `cloudvisor-lab info`: starts a host and prints its configuration as JSON.
import type { CliCommand } from '../cli-command';
import { UsageError } from '../cli-command';
import { LabHost } from '../lab-host';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'print the host configuration as JSON',
  usage: 'cloudvisor-lab info [--seed HEX]',
  async run(args, io) {
    let seed: string | undefined;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--seed' && args[i + 1] !== undefined) seed = args[++i];
      else throw new UsageError(`unexpected argument ${JSON.stringify(args[i])}`);
    }
    const host = new LabHost(seed === undefined ? {} : { seed });
    try {
      const info = await host.request('host.info', {});
      io.stdout(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    } finally {
      await host.close();
    }
  },
};
