// A device's 32-bit register window described as a table of {offset, name, read, write} (the
// v86 habit), with the one dispatch every such device shares: only 32-bit accesses at a listed
// offset reach a register; anything else, and a write to a register without `write`, is
// reported through DeviceLog and reads as zero (the contract of device.ts). The offset map is
// built once, so an access allocates nothing.
import type { AccessWidth, DeviceLog } from './device';

/** One 32-bit register; `read` results are returned as unsigned, `write` gets an unsigned value. */
export interface DeviceRegister<Name extends string = string> {
  readonly offset: number;
  readonly name: Name;
  readonly read: () => number;
  /** Absent for read-only registers: a write is then an unknown access. */
  readonly write?: (value: number) => void;
}

export class DeviceRegisters<Name extends string = string> {
  private readonly byOffset = new Map<number, DeviceRegister<Name>>();

  constructor(
    private readonly device: string,
    registers: readonly DeviceRegister<Name>[],
    private readonly log: DeviceLog,
  ) {
    for (const reg of registers) {
      // Two registers at one offset would make the table, not the device, decide which one answers.
      if (this.byOffset.has(reg.offset))
        throw new Error(`${device}: registers share offset 0x${reg.offset.toString(16)}`);
      this.byOffset.set(reg.offset, reg);
    }
  }

  read(offset: number, width: AccessWidth): number {
    const reg = width === 4 ? this.byOffset.get(offset) : undefined;
    if (reg === undefined) {
      this.log.unknownAccess(this.device, 'read', offset, width);
      return 0;
    }
    return reg.read() >>> 0;
  }

  write(offset: number, width: AccessWidth, value: number): void {
    const reg = width === 4 ? this.byOffset.get(offset) : undefined;
    if (reg?.write === undefined) {
      this.log.unknownAccess(this.device, 'write', offset, width, value);
      return;
    }
    reg.write(value >>> 0);
  }
}
