// One guest domain: its RAM, vCPUs and emulated platform (PLIC, NS16550A, eight virtio-mmio
// slots), its console, and the MMIO dispatcher that routes a trapped access to the device
// model by GPA, as QEMU virt's memory map places them (platform-map.ts).
// Invariants: device IRQ lines reach the guest only through the PLIC; an access no device
// claims is logged and reads as zero; the console history is bounded.
import type { GuestMemory } from './guest-memory';
import { Ns16550a } from './devices/ns16550a';
import { VirtualPlic } from './devices/vplic';
import { VirtioMmio, type VirtioBackend } from './devices/virtio-mmio';
import { GUEST_IRQ, GUEST_MAP, GUEST_VIRTIO_SLOTS } from './platform-map';
import type { VirtualCpu } from './virtual-cpu';
import type { DomainConfig } from './xl-config';

export type DomainState = 'running' | 'paused' | 'crashed';

/** Guest console history kept for `xl console` (the VMM's xenconsoled buffer). */
const HISTORY_LIMIT = 64 * 1024;

export class Domain {
  state: DomainState = 'paused';
  crashReason = '';
  readonly vcpus: VirtualCpu[] = [];
  readonly plic: VirtualPlic;
  readonly uart: Ns16550a;
  readonly virtio: VirtioMmio[] = [];
  /** Output not yet handed to the lab. */
  pendingOutput: number[] = [];
  private history: number[] = [];
  dtbGpa = 0;
  /** Volume initialisations still writing to the host disk; the domain starts when they finish. */
  setupPending = 0;
  entry = 0;
  /** The kernel image, kept for SBI reboot (Xen keeps the domain config and kernel path). */
  kernelImage: Uint8Array | undefined;

  constructor(
    readonly id: number,
    readonly config: DomainConfig,
    readonly memory: GuestMemory,
    readonly vmid: number,
    readonly log: (text: string) => void,
    backends: readonly (VirtioBackend | null)[],
  ) {
    this.plic = new VirtualPlic(2 * config.vcpus, (t) => log(`dom${id} ${t}`));
    this.uart = new Ns16550a((b) => this.consoleByte(b), (l) => this.plic.setLevel(GUEST_IRQ.UART0, l), (t) => log(`dom${id} ${t}`));
    for (let i = 0; i < GUEST_VIRTIO_SLOTS; i++) {
      const irq = GUEST_IRQ.VIRTIO_FIRST + i;
      this.virtio.push(new VirtioMmio(memory, backends[i] ?? null, (l) => this.plic.setLevel(irq, l), (t) => log(`dom${id} slot${i} ${t}`)));
    }
  }

  get name(): string {
    return this.config.name;
  }

  consoleByte(byte: number): void {
    this.pendingOutput.push(byte);
    this.history.push(byte);
    if (this.history.length > HISTORY_LIMIT + 4096) this.history = this.history.slice(-HISTORY_LIMIT);
  }

  consoleHistory(): Uint8Array {
    return new Uint8Array(this.history.slice(-HISTORY_LIMIT));
  }

  /** Is the S-mode external interrupt of this vCPU's PLIC context asserted? Cached per PLIC change. */
  externalPending(v: VirtualCpu): boolean {
    if (v.plicGeneration !== this.plic.generation) {
      v.plicGeneration = this.plic.generation;
      v.plicLevel = this.plic.asserted(2 * v.index + 1);
    }
    return v.plicLevel;
  }

  mmioLoad(gpa: number, width: number): number {
    const dev = this.route(gpa);
    switch (dev.kind) {
      case 'uart':
        return this.uart.read(dev.offset);
      case 'plic':
        return width === 4 && dev.offset % 4 === 0 ? this.plic.read(dev.offset) : this.misfit('load', gpa, width);
      case 'virtio':
        return this.virtio[dev.slot]?.read(dev.offset, width) ?? 0;
      default:
        this.log(`dom${this.id}: ${width}-byte load from unassigned GPA 0x${gpa.toString(16)} reads 0`);
        return 0;
    }
  }

  mmioStore(gpa: number, width: number, value: number): void {
    const dev = this.route(gpa);
    switch (dev.kind) {
      case 'uart':
        this.uart.write(dev.offset, value);
        return;
      case 'plic':
        if (width === 4 && dev.offset % 4 === 0) this.plic.write(dev.offset, value);
        else this.misfit('store', gpa, width);
        return;
      case 'virtio':
        this.virtio[dev.slot]?.write(dev.offset, width, value);
        return;
      default:
        this.log(`dom${this.id}: ${width}-byte store of 0x${(value >>> 0).toString(16)} to unassigned GPA 0x${gpa.toString(16)} ignored`);
    }
  }

  private misfit(what: string, gpa: number, width: number): number {
    this.log(`dom${this.id}: ${width}-byte PLIC ${what} at 0x${gpa.toString(16)}: the PLIC takes aligned 32-bit accesses only`);
    return 0;
  }

  private route(gpa: number): { kind: 'uart' | 'plic' | 'none'; offset: number; slot: number } | { kind: 'virtio'; offset: number; slot: number } {
    const M = GUEST_MAP;
    if (gpa >= M.UART0.base && gpa < M.UART0.base + 8) return { kind: 'uart', offset: gpa - M.UART0.base, slot: 0 };
    if (gpa >= M.PLIC.base && gpa < M.PLIC.base + M.PLIC.size) return { kind: 'plic', offset: gpa - M.PLIC.base, slot: 0 };
    const v = gpa - M.VIRTIO.base;
    if (v >= 0 && v < GUEST_VIRTIO_SLOTS * M.VIRTIO.size) return { kind: 'virtio', offset: v % M.VIRTIO.size, slot: Math.floor(v / M.VIRTIO.size) };
    return { kind: 'none', offset: 0, slot: 0 };
  }
}
