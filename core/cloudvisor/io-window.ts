// Assisted VMM access to guest memory (CLOUDVISOR.md section 2, "I/O buffers"): while the VMM
// handles an SBI DBCN exit, the frames backing the buffer the guest named (and only those) may be
// read (console write) or written (console read) through hyp.mem. The window closes at the next
// run. Invariant: only frames the VM's shadow G-stage maps for that buffer are ever opened.
import type { Exit } from '../sandbox/hyp';
import { PAGE_SIZE } from './physical-memory-port';

const SBI_EXT_DBCN = 0x4442_434e;
const DBCN_WRITE = 0;
const DBCN_READ = 1;

export class IoWindow {
  private readonly readable = new Set<number>();
  private readonly writable = new Set<number>();

  close(): void {
    this.readable.clear();
    this.writable.clear();
  }

  /** Opens the frames of a DBCN buffer named by `exit`, translated through the VM's shadow map. */
  openFor(exit: Exit, mapped: ReadonlyMap<number, number>): void {
    this.close();
    if (exit.kind !== 'sbi' || exit.ext !== SBI_EXT_DBCN) return;
    if (exit.fid !== DBCN_WRITE && exit.fid !== DBCN_READ) return;
    const [length = 0, baseLo = 0, baseHi = 0] = exit.args;
    if (baseHi !== 0 || length === 0) return;
    const target = exit.fid === DBCN_WRITE ? this.readable : this.writable;
    const last = Math.floor((baseLo + Math.min(length, PAGE_SIZE) - 1) / PAGE_SIZE);
    for (let page = Math.floor(baseLo / PAGE_SIZE); page <= last; page++) {
      const frame = mapped.get(page);
      if (frame !== undefined) target.add(frame);
    }
  }

  allows(frame: number, access: 'load' | 'store'): boolean {
    return (access === 'load' ? this.readable : this.writable).has(frame);
  }
}
