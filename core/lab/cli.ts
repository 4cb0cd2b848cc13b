// `cloudvisor-lab`: the headless front end. Exit codes: 0 ok, 1 the thing run failed, 2 usage.
import type { CliIo } from './cli-command';
import { UsageError } from './cli-command';
import { COMMANDS } from './commands/index';
import { PRODUCT_NAME, PRODUCT_VERSION } from './product';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `${PRODUCT_NAME} ${PRODUCT_VERSION}`,
    '',
    'Usage: cloudvisor-lab <command> [options]',
    '       cloudvisor-lab --version | --help | help <command>',
    '',
    'Commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(helpText());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${PRODUCT_VERSION}\n`);
    return 0;
  }
  if (first === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout(command ? `${command.usage}\n` : helpText());
    return command || rest.length === 0 ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.stderr(`cloudvisor-lab: unknown command ${JSON.stringify(first)}\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cloudvisor-lab ${command.name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    io.stderr(`cloudvisor-lab ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cloudvisor-lab: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
