// SiFive test finisher (QEMU hw/misc/sifive_test.c) at 0x100000: a 32-bit write of 0x5555
// means pass, (code << 16) | 0x3333 means fail with `code`, 0x7777 asks for a reset.
// Other values and offsets are logged. Reads return zero.
import type { AccessWidth, DeviceLog, MmioDevice } from '../device';

export const FINISHER = {
  FAIL: 0x3333,
  PASS: 0x5555,
  RESET: 0x7777,
} as const;

export type FinisherEvent = { kind: 'exit'; code: number } | { kind: 'reset' };

export class TestFinisher implements MmioDevice {
  readonly name = 'test-finisher';
  readonly size = 0x1000;

  constructor(
    private readonly onEvent: (event: FinisherEvent) => void,
    private readonly log: DeviceLog,
  ) {}

  reset(): void {}

  read(offset: number, width: AccessWidth): number {
    if (offset !== 0) this.log.unknownAccess(this.name, 'read', offset, width);
    return 0;
  }

  write(offset: number, width: AccessWidth, value: number): void {
    const status = value & 0xffff;
    if (offset !== 0 || width !== 4) {
      this.log.unknownAccess(this.name, 'write', offset, width, value);
      return;
    }
    if (status === FINISHER.PASS) this.onEvent({ kind: 'exit', code: 0 });
    else if (status === FINISHER.FAIL) this.onEvent({ kind: 'exit', code: value >>> 16 });
    else if (status === FINISHER.RESET) this.onEvent({ kind: 'reset' });
    else this.log.unknownAccess(this.name, 'write', offset, width, value);
  }
}
