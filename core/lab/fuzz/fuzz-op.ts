// The fuzzer's vocabulary: one malicious VMM action per operation, built from the hypervisor
// interface (hyp.ts) only. Operations name their targets symbolically (a guest's page, its secret,
// the VMM's own table frames, the monitor's region) and are resolved against a booted host, so a
// sequence is plain JSON that replays on any host built from the same seed.

/** A physical frame, named the way an attacker who knows the machine's layout would. */
export type FrameChoice =
  /** The frame behind one of a guest's populated pages (the VMM's p2m knows it). */
  | { readonly kind: 'guest'; readonly guest: number; readonly page: number }
  /** The frame holding a guest's secret key (the guest prints its GPA on `secret where`). */
  | { readonly kind: 'guest-secret'; readonly guest: number }
  /** A frame of the VMM's own G-stage table for a guest (the VMM's frame: it may write it). */
  | { readonly kind: 'guest-table'; readonly guest: number; readonly page: number }
  /** A free frame of the VMM, at the top of its RAM. */
  | { readonly kind: 'vmm'; readonly page: number }
  /** A frame of the monitor's region (the top of RAM). */
  | { readonly kind: 'monitor'; readonly page: number };

export type RegChanges = Readonly<Record<string, number>>;

export type FuzzOp =
  /**
   * Writes a leaf in the VMM's G-stage table of `guest` (a populated GPA: remap; fresh: new GPA);
   * `superpage` writes a 4 MiB leaf in the root table instead (over whatever the entry held).
   */
  | {
    readonly op: 'map'; readonly guest: number; readonly gpa: 'populated' | 'fresh'; readonly page: number;
    readonly target: FrameChoice; readonly superpage: boolean;
  }
  /** HFENCE.GVMA for the guest's VMID, or all VMIDs. */
  | { readonly op: 'fence'; readonly guest: number | null }
  | { readonly op: 'read'; readonly target: FrameChoice; readonly offset: number; readonly length: number }
  | { readonly op: 'write'; readonly target: FrameChoice; readonly offset: number; readonly value: number }
  /** Host disk DMA: 'to-memory' is a disk read into `target`, 'from-memory' a disk write from it. */
  | {
    readonly op: 'dma'; readonly direction: 'to-memory' | 'from-memory'; readonly target: FrameChoice; readonly offset: number;
    readonly sector: number; readonly count: number;
  }
  | { readonly op: 'set-regs'; readonly guest: number; readonly changes: RegChanges }
  /** Moves the guest's vCPU to another VMID and/or injects interrupts through hvip. */
  | { readonly op: 'set-controls'; readonly guest: number; readonly vmid: number | null; readonly hvip: number | null }
  /** Reads the guest vCPU's registers as the VMM sees them. */
  | { readonly op: 'peek-regs'; readonly guest: number }
  /**
   * Creates an attacker vCPU over the VMM's table of `table`: with `join` it takes that guest's
   * VMID (enters its VM), else a VMID of its own (a second VM over the same frames).
   */
  | { readonly op: 'spawn'; readonly table: number; readonly join: boolean; readonly pc: number; readonly regs: RegChanges }
  /** Runs the n-th spawned vCPU once (spawned vCPUs are numbered in creation order). */
  | { readonly op: 'run-spawned'; readonly index: number }
  | { readonly op: 'destroy-spawned'; readonly index: number }
  /** Destroys a guest's vCPU under the VMM's own toolstack (its VM goes away: frames must come back scrubbed). */
  | { readonly op: 'destroy-guest'; readonly guest: number }
  /** Lets the real VMM schedule the guests for a while (host rounds / exits). */
  | { readonly op: 'rounds'; readonly count: number };

export type FuzzOpKind = FuzzOp['op'];

export function describeFrame(choice: FrameChoice): string {
  switch (choice.kind) {
    case 'guest':
      return `guest${choice.guest} page#${choice.page}`;
    case 'guest-secret':
      return `guest${choice.guest} secret`;
    case 'guest-table':
      return `guest${choice.guest} G-stage table#${choice.page}`;
    case 'vmm':
      return `vmm frame#${choice.page}`;
    case 'monitor':
      return `monitor frame#${choice.page}`;
  }
}

/** One line per operation, for reports and the failing-sequence printout. */
export function describeOp(op: FuzzOp): string {
  switch (op.op) {
    case 'map':
      return `map ${op.gpa} GPA#${op.page} of guest${op.guest} -> ${describeFrame(op.target)}${op.superpage ? ' (4 MiB superpage)' : ''}`;
    case 'fence':
      return `hfence.gvma ${op.guest === null ? 'all' : `guest${op.guest}`}`;
    case 'read':
      return `read ${op.length} bytes at ${describeFrame(op.target)} +0x${op.offset.toString(16)}`;
    case 'write':
      return `write32 0x${op.value.toString(16)} at ${describeFrame(op.target)} +0x${op.offset.toString(16)}`;
    case 'dma':
      return `dma ${op.direction} ${op.count} sectors from sector ${op.sector} at ${describeFrame(op.target)} +0x${op.offset.toString(16)}`;
    case 'set-regs':
      return `set regs of guest${op.guest}: ${JSON.stringify(op.changes)}`;
    case 'set-controls':
      return `set controls of guest${op.guest}: vmid ${op.vmid ?? '-'} hvip ${op.hvip ?? '-'}`;
    case 'peek-regs':
      return `read regs of guest${op.guest}`;
    case 'spawn':
      return `spawn vCPU over guest${op.table}'s table ${op.join ? 'joining its VM' : 'as a new VM'} at pc 0x${op.pc.toString(16)} ${JSON.stringify(op.regs)}`;
    case 'run-spawned':
      return `run spawned vCPU #${op.index}`;
    case 'destroy-spawned':
      return `destroy spawned vCPU #${op.index}`;
    case 'destroy-guest':
      return `destroy guest${op.guest}'s vCPU`;
    case 'rounds':
      return `let the VMM run ${op.count} rounds`;
  }
}
