// `cloudvisor-lab boot`: boots a host with guests, optionally applies a VMM patch, types commands
// into the guest consoles and reports what happened (consoles, VMM events, exfiltrated data,
// selftest lines), as text or JSON.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../cli-command';
import { UsageError } from '../cli-command';
import { isGuestImageName } from '../host/guest-images';
import { GuestSession, LABOS_PROMPT } from '../host/guest-session';
import { PatchLoadError, applyPatch, describePatchFault } from '../host/patch-loader';
import { VmmHost } from '../host/vmm-host';

const USAGE = `cloudvisor-lab boot --mode bare|protected|both --guests labos[,labos...] [--harts N] [--memory MIB]
       [--patch FILE.ts] [--type "[domN:]command" ...] [--until REGEX] [--max-instructions N]
       [--seed S] [--json]`;

type HostMode = 'bare' | 'protected';
const MODES: Readonly<Record<string, readonly HostMode[]>> = { bare: ['bare'], protected: ['protected'], both: ['bare', 'protected'] };
/** RAM CloudVisor keeps for itself in protected mode (core/cloudvisor/monitor-launch.ts). */
const MONITOR_MIB = 8;

interface BootOptions {
  readonly modes: readonly HostMode[];
  readonly guests: readonly string[];
  readonly harts: number;
  readonly memoryMiB: number;
  readonly patch: string | undefined;
  readonly typed: readonly { domain: number | null; line: string }[];
  readonly until: RegExp | null;
  readonly maxInstructions: number;
  readonly seed: string;
  readonly json: boolean;
}

function positiveInt(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return n;
}

function parse(args: readonly string[]): BootOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        mode: { type: 'string', default: 'bare' },
        guests: { type: 'string', default: 'labos' },
        harts: { type: 'string' },
        memory: { type: 'string' },
        patch: { type: 'string' },
        type: { type: 'string', multiple: true },
        until: { type: 'string' },
        'max-instructions': { type: 'string' },
        seed: { type: 'string', default: 'cloudvisor-lab' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const modes = MODES[values.mode];
  if (modes === undefined) throw new UsageError(`--mode ${values.mode}: expected bare, protected or both`);
  const guests = values.guests.split(',').map((g) => g.trim());
  for (const g of guests) if (!isGuestImageName(g)) throw new UsageError(`unknown guest image '${g}' (known: labos)`);
  if (guests.length > 8) throw new UsageError('at most 8 guests');
  const typed = (values.type ?? []).map((t) => {
    const m = /^dom(\d+):(.*)$/.exec(t);
    return m ? { domain: Number(m[1]), line: m[2] ?? '' } : { domain: null, line: t };
  });
  let until: RegExp | null = null;
  if (values.until !== undefined) {
    try {
      until = new RegExp(values.until);
    } catch (error) {
      throw new UsageError(`--until: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    modes,
    guests,
    harts: positiveInt(values.harts, 'harts', Math.min(guests.length, 8), 8),
    memoryMiB: positiveInt(values.memory, 'memory', 32, 512),
    patch: values.patch,
    typed,
    until,
    maxInstructions: positiveInt(values['max-instructions'], 'max-instructions', 2_000_000_000, Number.MAX_SAFE_INTEGER),
    seed: values.seed,
    json: values.json,
  };
}

type BootReport = Awaited<ReturnType<typeof bootOne>>['report'];

async function boot(options: BootOptions, io: CliIo): Promise<number> {
  const runs: { status: number; report: BootReport }[] = [];
  for (const mode of options.modes) runs.push(await bootOne(options, mode));
  const only = runs.length === 1 ? runs[0] : undefined;
  if (options.json) io.stdout(`${JSON.stringify(only ? only.report : { mode: 'both', runs: runs.map((r) => r.report) }, null, 2)}\n`);
  else {
    for (const run of runs) {
      if (!only) io.stdout(`##### ${run.report.mode} host #####\n`);
      printReport(run.report, io);
    }
  }
  return Math.max(...runs.map((r) => r.status));
}

async function bootOne(options: BootOptions, mode: HostMode) {
  const ramMiB = Math.max(128, 8 + options.guests.length * options.memoryMiB + 16) + (mode === 'protected' ? MONITOR_MIB : 0);
  const host = await VmmHost.create({
    seed: options.seed, harts: options.harts, ramBytes: ramMiB * 1024 * 1024, ...(mode === 'protected' ? { mode } : {}),
  });
  try {
    const session = new GuestSession(host);
    const patchErrors: string[] = [];
    if (options.patch !== undefined) {
      const { outcome } = applyPatch(host, basename(options.patch), readFileSync(options.patch, 'utf8'));
      if (!outcome.ok) patchErrors.push(describePatchFault(outcome.fault));
    }
    const domains = options.guests.map((image, i) => session.createGuest(`vm${i + 1}`, image as 'labos', options.memoryMiB));
    const budget = options.maxInstructions;
    const booted = domains.map((d) => session.waitFor(d, LABOS_PROMPT, budget));
    for (const { domain, line } of options.typed) {
      for (const d of domain === null ? domains : [domain]) session.type(d, line, budget);
    }
    const until = options.until;
    const matched = until === null ? true : session.runUntil(() => domains.some((d) => until.test(session.output(d))), budget);
    const report = {
      mode,
      seed: options.seed,
      instructions: host.instructions,
      virtualTime: host.board.clock.now(),
      guests: domains.map((d, i) => ({
        domain: d,
        booted: booted[i] ?? false,
        console: session.output(d),
        selftest: session.output(d).split(/\r?\n/).filter((l) => l.startsWith('SELFTEST ')),
      })),
      exfiltrated: session.exfiltrated.map((e) => ({ label: e.label, hex: Buffer.from(e.bytes).toString('hex') })),
      events: session.events,
      failures: [...patchErrors, ...session.failures],
      untilMatched: matched,
      ...(mode === 'protected' ? { monitorEvents: session.monitorEvents } : {}),
    };
    return { status: report.failures.length === 0 && matched && booted.every(Boolean) ? 0 : 1, report };
  } finally {
    host.dispose();
  }
}

function printReport(report: BootReport, io: CliIo): void {
  for (const g of report.guests) {
    io.stdout(`===== dom${g.domain} console =====\n${g.console.replace(/\r/g, '')}\n`);
  }
  for (const e of report.exfiltrated) io.stdout(`exfiltrated ${e.label}: ${e.hex}\n`);
  for (const f of report.failures) io.stdout(`failure: ${f}\n`);
  for (const e of report.monitorEvents ?? []) {
    if (e.outcome !== 'allowed') io.stdout(`monitor: ${e.outcome} ${e.mechanism} vm${e.vm ?? '-'}: ${e.attempted}\n`);
  }
  io.stdout(`instructions: ${report.instructions}\n`);
}

export const bootCommand: CliCommand = {
  name: 'boot',
  summary: 'boot a host with guests, apply a VMM patch, type commands, report',
  usage: USAGE,
  async run(args, io) {
    const options = parse(args);
    try {
      return await boot(options, io);
    } catch (error) {
      if (error instanceof PatchLoadError) {
        io.stderr(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
