// HS-mode as the running VMM reaches it. Before the monitor's launch it is the hardware itself;
// the late launch swaps in the monitor underneath, and from the next call on every privileged
// operation of the same, unmodified VMM traps into the monitor (the paper's "dynamic nested
// virtualization": the VMM is demoted without being restarted).
import type { HypBackend } from '../sandbox/host-binding';

export class InterposableBackend implements HypBackend {
  private active: HypBackend;

  constructor(readonly hardware: HypBackend) {
    this.active = hardware;
  }

  /** The layer now under the VMM. */
  get current(): HypBackend {
    return this.active;
  }

  get interposed(): boolean {
    return this.active !== this.hardware;
  }

  /** Puts `monitor` between the VMM and the hardware; once only, and never undone. */
  interpose(monitor: HypBackend): void {
    if (this.interposed) throw new Error('a monitor is already running under this VMM');
    this.active = monitor;
  }

  get hartId(): number {
    return this.active.hartId;
  }

  get harts(): number {
    return this.active.harts;
  }

  get mem(): HypBackend['mem'] {
    return this.active.mem;
  }

  get vcpu(): HypBackend['vcpu'] {
    return this.active.vcpu;
  }

  get fence(): HypBackend['fence'] {
    return this.active.fence;
  }

  get timer(): HypBackend['timer'] {
    return this.active.timer;
  }

  get disk(): HypBackend['disk'] {
    return this.active.disk;
  }

  get console(): HypBackend['console'] {
    return this.active.console;
  }

  get tpm(): HypBackend['tpm'] {
    return this.active.tpm;
  }

  ipi(hartMask: number): void {
    this.active.ipi(hartMask);
  }
}
