// The I/O whitelist (CLOUDVISOR.md section 2, "I/O buffers"): the only guest memory the VMM may
// touch through hyp.mem, as byte ranges of guest-physical addresses the guest itself named (its
// virtqueue rings and the buffers of its pending requests, the buffer of an SBI console call).
// Grants are per VM and keyed, so a completed request's buffers leave the list at once.
// Invariant: every range comes from the guest's own descriptors or SBI arguments, read by the
// monitor from guest memory or registers, never from anything the VMM wrote.

export type IoAccess = 'load' | 'store';

export interface IoRange {
  readonly gpa: number;
  readonly len: number;
  readonly load: boolean;
  readonly store: boolean;
}

export class IoWhitelist {
  private readonly byVm = new Map<number, Map<string, readonly IoRange[]>>();

  grant(vm: number, key: string, ranges: readonly IoRange[]): void {
    let grants = this.byVm.get(vm);
    if (!grants) {
      grants = new Map();
      this.byVm.set(vm, grants);
    }
    grants.set(key, ranges.filter((r) => r.len > 0));
  }

  revoke(vm: number, key: string): boolean {
    return this.byVm.get(vm)?.delete(key) ?? false;
  }

  /** Drops every grant of `vm` whose key starts with `prefix` (a device reset, a VM's end). */
  revokePrefix(vm: number, prefix = ''): void {
    const grants = this.byVm.get(vm);
    if (!grants) return;
    for (const key of [...grants.keys()]) if (key.startsWith(prefix)) grants.delete(key);
    if (grants.size === 0) this.byVm.delete(vm);
  }

  /** The key of a grant that covers all of [gpa, gpa + len) for `access`, or null. */
  allows(vm: number, gpa: number, len: number, access: IoAccess): string | null {
    const grants = this.byVm.get(vm);
    if (!grants) return null;
    for (const [key, ranges] of grants) {
      for (const r of ranges) {
        if ((access === 'load' ? r.load : r.store) && gpa >= r.gpa && gpa + len <= r.gpa + r.len) return key;
      }
    }
    return null;
  }

  /** Grants in force for `vm`, for the lab's views. */
  list(vm: number): ReadonlyMap<string, readonly IoRange[]> {
    return new Map(this.byVm.get(vm) ?? []);
  }
}
