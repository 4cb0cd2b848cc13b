// The whole machine's state as one plain object: RAM, every hart, every device's state, virtual
// time, the random streams (board and TPM), the DTB, the firmware's HSM table, exit state.
// captureMachine reads without side effects; applyMachine validates every part before it
// changes the board, and is meant for a freshly built machine of the same configuration.
import type { BootSpec, ElfMachine } from '../boot-elf';
import type { BoardExit } from '../host-board';
import type { FirmwareState } from '../firmware/platform-firmware';
import type { HostDiskState } from '../devices/host-disk';
import { MemoryDiskBacking, type MemoryDiskState } from '../devices/disk-backing';
import type { IommuState } from '../iommu/iommu';
import type { PlicState } from '../devices/plic';
import type { SchedulerState } from '../board/hart-scheduler';
import type { SeededRandomState } from '../seeded-random';
import type { TpmState } from '../tpm/tpm';
import { loadAclintState, saveAclintState, validateAclintState, type AclintState } from './aclint-state';
import { loadHartState, saveHartState, validateHartState, type HartState } from './hart-state';
import { loadUartState, saveUartState, validateUartState, type UartState } from './uart-state';

export interface MachineState {
  readonly ram: Uint8Array;
  readonly dtb: Uint8Array;
  readonly dtbAddress: number;
  readonly harts: readonly HartState[];
  readonly scheduler: SchedulerState;
  readonly aclint: AclintState;
  readonly uart: UartState;
  readonly monitorUart: UartState;
  readonly plic: PlicState;
  readonly iommu: IommuState;
  readonly hostDisk: HostDiskState | null;
  /** Contents of a memory disk; null for no disk or a file disk (its contents stay in the file). */
  readonly memoryDisk: MemoryDiskState | null;
  readonly tpm: TpmState;
  readonly random: SeededRandomState;
  readonly tpmRandom: SeededRandomState;
  readonly firmware: FirmwareState | null;
  readonly exit: BoardExit | null;
  readonly failure: string | null;
  readonly resets: number;
  readonly boot: BootSpec;
}

export function captureMachine(m: ElfMachine): MachineState {
  const b = m.board;
  if (b.htif !== null)
    throw new Error(
      'snapshot: machines using HTIF tohost/fromhost cannot be saved (HTIF has no saved state)',
    );
  const backing = b.diskBacking;
  return {
    ram: b.ram.u8.slice(),
    dtb: b.dtb.slice(),
    dtbAddress: b.dtbAddress,
    harts: b.harts.map(saveHartState),
    scheduler: b.scheduler.saveState(),
    aclint: saveAclintState(b.aclint, b.harts.length),
    uart: saveUartState(b.uart),
    monitorUart: saveUartState(b.monitorUart),
    plic: b.plic.saveState(),
    iommu: b.iommu.saveState(),
    hostDisk: b.hostDisk?.saveState() ?? null,
    memoryDisk: backing instanceof MemoryDiskBacking ? backing.saveState() : null,
    tpm: b.tpm.saveState(),
    random: b.random.saveState(),
    tpmRandom: b.tpmRandom.saveState(),
    firmware: m.firmware?.saveState() ?? null,
    exit: b.exit,
    failure: b.failure,
    resets: b.resets,
    boot: m.boot,
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Checks the parts this module owns against the machine before anything is applied. */
function validate(m: ElfMachine, s: MachineState): void {
  const b = m.board;
  if (!(s.ram instanceof Uint8Array) || s.ram.length !== b.ram.size)
    throw new Error(`snapshot: RAM is ${String(s.ram?.length)} bytes, the board has ${b.ram.size}`);
  if (!(s.dtb instanceof Uint8Array) || !equalBytes(s.dtb, b.dtb) || s.dtbAddress !== b.dtbAddress)
    throw new Error('snapshot: the rebuilt board generated a different DTB (seed or description mismatch)');
  if (!Array.isArray(s.harts) || s.harts.length !== b.harts.length)
    throw new Error(`snapshot: ${String(s.harts?.length)} harts saved, the board has ${b.harts.length}`);
  s.harts.forEach(validateHartState);
  validateAclintState(s.aclint, b.harts.length);
  validateUartState(s.uart);
  validateUartState(s.monitorUart);
  if ((s.hostDisk === null) !== (b.hostDisk === null))
    throw new Error('snapshot: host disk presence differs from the board');
  if ((s.firmware === null) !== (m.firmware === null))
    throw new Error('snapshot: firmware presence differs from the machine');
  if (!Number.isInteger(s.resets) || s.resets < 0) throw new Error('snapshot: invalid reset count');
  const e: unknown = s.exit;
  const exitOk =
    e === null ||
    (typeof e === 'object' &&
      ['finisher', 'tohost', 'failure'].includes(String((e as BoardExit).reason)) &&
      Number.isInteger((e as BoardExit).code));
  if (!exitOk || (s.failure !== null && typeof s.failure !== 'string'))
    throw new Error('snapshot: invalid exit state');
}

/** Loads `s` into a freshly built machine of the same configuration; throws before changing RAM on bad parts. */
export function applyMachine(m: ElfMachine, s: MachineState): void {
  validate(m, s);
  const b = m.board;
  // Device loaders validate their own states; they run first so a refusal leaves RAM and harts alone.
  b.plic.loadState(s.plic);
  b.iommu.loadState(s.iommu);
  if (s.hostDisk !== null) b.hostDisk?.loadState(s.hostDisk);
  b.tpm.loadState(s.tpm);
  b.random.loadState(s.random);
  b.tpmRandom.loadState(s.tpmRandom);
  if (s.firmware !== null) m.firmware?.loadState(s.firmware);
  b.scheduler.loadState(s.scheduler);
  loadAclintState(b.aclint, s.aclint, b.harts.length);
  loadUartState(b.uart, s.uart);
  loadUartState(b.monitorUart, s.monitorUart);
  b.ram.u8.set(s.ram);
  b.bus.codeWritten(0, b.ram.size);
  s.harts.forEach((h, i) => {
    const hart = b.harts[i];
    if (hart !== undefined) loadHartState(hart, h);
  });
  b.exit = s.exit;
  b.failure = s.failure;
  b.resets = s.resets;
}
