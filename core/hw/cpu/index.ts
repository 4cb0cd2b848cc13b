// Public surface of the hart module: the hart, its debugger, the standalone G-stage walk for
// devices, CSR numbers and architectural constants. Other layers import from here.
export { Hart, BLOCK_EXIT, type HartState } from './hart';
export { HartDebug, type TraceEntry, type StopReason } from './hart-debug';
export { translateGStage, type GStageAccess, type GStageMemory, type GStageResult } from './g-stage';
export { CSR, csrName, type CsrName } from './csr-numbers';
export { SLOT, SLOT_COUNT, COUNTER_SLOT } from './csr-slots';
export { ACCESS } from './riscv-bits';
export { CAUSE, HSTATUS, IRQ, MIP, MSTATUS, MSTATUSH, PRIV, PSEUDO_INSN, PTE } from '../../spec/riscv-priv';
export { readCsr, writeCsr, csrExists } from './csr-file';
