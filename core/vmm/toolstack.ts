// The toolstack: an xl-like command set run in the management domain, reachable from the lab
// API, the CLI and the UI as one command line in, text out. Domain arguments are ids or names;
// files (kernel images, configs, disk images, save files) live in the management domain's file
// store, which the lab fills and reads (as dom0's toolstack reads its own disk).
// Invariant: a command either completes or throws an Error whose message says what was wrong,
// having changed nothing (create and restore undo their own partial work).
import { isDecimal } from './chars';
import type { Domain } from './domain';
import { requireDomain } from './domain-builder';
import { PAGE_SIZE } from '../spec/riscv-priv';
import { restoreDomain, saveDomain } from './save-image';
import { utf8Decode } from './text-codec';
import type { Vmm } from './vmm';
import { parseSize, parseXlText, toDomainConfig } from './xl-config';

export const XL_COMMANDS = {
  help: 'help                          this list',
  list: 'list                          domains: name, id, memory, vCPUs, state, exits',
  create: 'create [CFGFILE] [KEY=VALUE...] build and start a domain (xl.cfg keys: name kernel memory vcpus disk rng populate extra)',
  destroy: 'destroy DOM                   stop a domain and scrub its memory back to the pool',
  pause: 'pause DOM                     stop scheduling a domain',
  unpause: 'unpause DOM                   resume a paused domain',
  console: 'console DOM                   the domain\'s recent console output',
  save: 'save DOM FILE                 save a paused domain (memory, vCPUs, devices) to FILE and destroy it',
  restore: 'restore FILE                  rebuild a saved domain and resume it',
  info: 'info                          host: harts, memory, disk, VMM version',
  dmesg: 'dmesg [-c]                    the VMM\'s log (-c: clear after printing)',
  'vol-list': 'vol-list                      volumes on the host disk',
  'vol-create': 'vol-create NAME SIZE          a new volume (SIZE as N, NK, NM, NG bytes)',
  'vol-remove': 'vol-remove NAME               delete a detached volume',
  ls: 'ls                            files in the management domain\'s store',
} as const;

type Command = keyof typeof XL_COMMANDS;

/** Splits a command line into words; "double" and 'single' quotes group words. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote = '';
  let has = false;
  for (const ch of line) {
    if (quote !== '') {
      if (ch === quote) quote = '';
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === ' ' || ch === '\t') {
      if (has || cur !== '') words.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (quote !== '') throw new Error('unterminated quote');
  if (has || cur !== '') words.push(cur);
  return words;
}

export function runToolstack(vmm: Vmm, line: string): string {
  vmm.registry.emit('toolstack', line);
  const words = splitWords(line.trim());
  if (words[0] === 'xl') words.shift();
  const [cmd, ...args] = words;
  if (cmd === undefined) return '';
  if (!(cmd in XL_COMMANDS)) throw new Error(`unknown command '${cmd}'; try 'help'`);
  return dispatch(vmm, cmd as Command, args);
}

function arity(args: readonly string[], min: number, max: number, cmd: Command): void {
  if (args.length < min || args.length > max) throw new Error(`usage: ${XL_COMMANDS[cmd].split('  ')[0]?.trim() ?? cmd}`);
}

function dispatch(vmm: Vmm, cmd: Command, args: readonly string[]): string {
  switch (cmd) {
    case 'help': return Object.values(XL_COMMANDS).join('\n');
    case 'list': arity(args, 0, 0, cmd); return list(vmm);
    case 'create': return create(vmm, args);
    case 'destroy': arity(args, 1, 1, cmd); vmm.fns.domainDestroy(domainArg(vmm, args[0]).id); return '';
    case 'pause': arity(args, 1, 1, cmd); vmm.fns.domainPause(domainArg(vmm, args[0]).id); return '';
    case 'unpause': arity(args, 1, 1, cmd); vmm.fns.domainUnpause(domainArg(vmm, args[0]).id); return '';
    case 'console': arity(args, 1, 1, cmd); return utf8Decode(domainArg(vmm, args[0]).consoleHistory());
    case 'save': return save(vmm, args);
    case 'restore': {
      arity(args, 1, 1, cmd);
      const file = fileArg(vmm, args[0]);
      return `restored as domain ${restoreDomain(vmm, file)}`;
    }
    case 'info': arity(args, 0, 0, cmd); return info(vmm);
    case 'dmesg': {
      arity(args, 0, 1, cmd);
      if (args[0] !== undefined && args[0] !== '-c') throw new Error("usage: dmesg [-c]");
      const text = vmm.dmesg.join('\n');
      if (args[0] === '-c') vmm.dmesg.length = 0;
      return text;
    }
    case 'vol-list': return volList(vmm);
    case 'vol-create': {
      arity(args, 2, 2, cmd);
      const bytes = parseSize(args[1] ?? '', 'vol-create');
      if (bytes % 512 !== 0 || bytes === 0) throw new Error('volume size must be a non-zero multiple of 512 bytes');
      const v = vmm.volumes.create(args[0] ?? '', bytes / 512);
      return `volume ${v.name}: sectors ${v.start}..${v.start + v.sectors - 1}`;
    }
    case 'vol-remove': arity(args, 1, 1, cmd); vmm.volumes.remove(args[0] ?? ''); return '';
    case 'ls': return [...vmm.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, b]) => `${String(b.length).padStart(10)}  ${n}`).join('\n');
  }
}

export function domainArg(vmm: Vmm, arg: string | undefined): Domain {
  if (arg === undefined) throw new Error('a domain id or name is required');
  if (isDecimal(arg)) return requireDomain(vmm, Number(arg));
  const d = [...vmm.domains.values()].find((x) => x.name === arg);
  if (d === undefined) throw new Error(`no domain named '${arg}'`);
  return d;
}

function fileArg(vmm: Vmm, name: string | undefined): Uint8Array {
  const f = name === undefined ? undefined : vmm.files.get(name);
  if (f === undefined) throw new Error(`no file '${name ?? ''}' in the management domain's store (see 'ls')`);
  return f;
}

function create(vmm: Vmm, args: readonly string[]): string {
  const first = args[0];
  const fromFile = first !== undefined && !first.includes('=');
  const text = fromFile ? utf8Decode(fileArg(vmm, first)) : '';
  const config = toDomainConfig(parseXlText(text, fromFile ? args.slice(1) : args));
  const image = fileArg(vmm, config.kernel);
  const id = vmm.fns.domainCreate(config, image);
  return `created domain ${id} (${config.name})`;
}

function save(vmm: Vmm, args: readonly string[]): string {
  arity(args, 2, 2, 'save');
  const d = domainArg(vmm, args[0]);
  const name = args[1] ?? '';
  if (name === '' || name.includes('/')) throw new Error(`bad file name '${name}'`);
  const wasRunning = d.state === 'running';
  if (wasRunning) vmm.fns.domainPause(d.id);
  let bytes: Uint8Array;
  try {
    bytes = saveDomain(vmm, d.id);
  } catch (error) {
    if (wasRunning) vmm.fns.domainUnpause(d.id);
    throw error;
  }
  vmm.files.set(name, bytes);
  vmm.fns.domainDestroy(d.id);
  return `saved domain ${d.id} (${d.name}) to ${name}: ${bytes.length} bytes`;
}

function stateFlags(d: Domain): string {
  const blocked = d.state === 'running' && d.vcpus.every((v) => v.blocked || v.hsm !== 'started');
  return [d.state === 'running' && !blocked ? 'r' : '-', blocked ? 'b' : '-', d.state === 'paused' ? 'p' : '-', '-', d.state === 'crashed' ? 'c' : '-', '-'].join('');
}

function list(vmm: Vmm): string {
  const rows = ['Name                                        ID   Mem VCPUs\tState\tExits'];
  const poolMiB = Math.floor((vmm.frames.totalFrames * PAGE_SIZE) / (1024 * 1024));
  rows.push(`${'Domain-0'.padEnd(40)}${'0'.padStart(6)}${String(poolMiB).padStart(6)}${String(vmm.config.harts).padStart(6)}\tr-----\t0`);
  for (const d of [...vmm.domains.values()].sort((a, b) => a.id - b.id)) {
    const exits = d.vcpus.reduce((n, v) => n + v.exits, 0);
    rows.push(`${d.name.padEnd(40)}${String(d.id).padStart(6)}${String(d.config.memoryBytes >> 20).padStart(6)}${String(d.vcpus.length).padStart(6)}\t${stateFlags(d)}\t${exits}`);
  }
  return rows.join('\n');
}

function info(vmm: Vmm): string {
  const mib = (frames: number): number => Math.floor((frames * PAGE_SIZE) / (1024 * 1024));
  const c = vmm.config;
  return [
    `host                   : cloudvisor-lab`,
    `nr_cpus                : ${c.harts}`,
    `total_memory           : ${c.ramSize >> 20}`,
    `vmm_pool_memory        : ${mib(vmm.frames.totalFrames)}`,
    `free_memory            : ${mib(vmm.frames.freeFrames)}`,
    `host_disk_sectors      : ${vmm.disk.sectors}`,
    `volumes                : ${vmm.volumes.list().length}`,
    `domains                : ${vmm.domains.size}`,
    `sched_slice_quanta     : ${c.sliceQuanta}`,
    `guest_timer            : SBI TIME, injected as hvip.VSTIP from the HS timer`,
    `xen_caps               : rv32imah sbi-2.0 virtio-mmio-2 (blk, rng)`,
  ].join('\n');
}

function volList(vmm: Vmm): string {
  const rows = ['Name                              Start    Sectors  Attached'];
  for (const v of vmm.volumes.list()) rows.push(`${v.name.padEnd(32)}${String(v.start).padStart(8)}${String(v.sectors).padStart(11)}  ${v.attachedTo === null ? '-' : `dom${v.attachedTo}`}`);
  return rows.join('\n');
}
