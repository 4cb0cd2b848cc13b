// SBI v2.0 binary encoding, shared by the platform firmware (core/hw), the VMM's SBI for its
// guests (core/vmm) and whoever inspects their calls: extension and function IDs, error codes,
// HSM states. Data only, values as the RISC-V Supervisor Binary Interface Specification v2.0
// gives them (ch. 3 binary encoding, 4 BASE, 5 legacy, 6 TIME, 7 IPI, 8 RFENCE, 9 HSM, 10 SRST,
// 12 DBCN). The guests' C header assets/guests/common/sbi.h carries the same numbers.

/** Standard SBI error codes (SBI v2.0 table 3.1). */
export const SBI_ERR = {
  SUCCESS: 0,
  FAILED: -1,
  NOT_SUPPORTED: -2,
  INVALID_PARAM: -3,
  DENIED: -4,
  INVALID_ADDRESS: -5,
  ALREADY_AVAILABLE: -6,
  ALREADY_STARTED: -7,
  ALREADY_STOPPED: -8,
} as const;

/** Extension IDs: legacy EIDs 0x00..0x0f (ch. 5), then the ASCII-named ones. */
export const SBI_EXT = {
  LEGACY_SET_TIMER: 0x00,
  LEGACY_CONSOLE_PUTCHAR: 0x01,
  LEGACY_CONSOLE_GETCHAR: 0x02,
  LEGACY_SHUTDOWN: 0x08,
  BASE: 0x10,
  TIME: 0x5449_4d45,
  IPI: 0x0073_5049,
  RFENCE: 0x5246_4e43,
  HSM: 0x0048_534d,
  SRST: 0x5352_5354,
  DBCN: 0x4442_434e,
} as const;

/** BASE function IDs (ch. 4). */
export const SBI_BASE = {
  GET_SPEC_VERSION: 0,
  GET_IMPL_ID: 1,
  GET_IMPL_VERSION: 2,
  PROBE_EXTENSION: 3,
  GET_MVENDORID: 4,
  GET_MARCHID: 5,
  GET_MIMPID: 6,
} as const;

/** RFENCE function IDs (ch. 8). */
export const SBI_RFENCE = {
  REMOTE_FENCE_I: 0,
  REMOTE_SFENCE_VMA: 1,
  REMOTE_SFENCE_VMA_ASID: 2,
  REMOTE_HFENCE_GVMA_VMID: 3,
  REMOTE_HFENCE_GVMA: 4,
  REMOTE_HFENCE_VVMA_ASID: 5,
  REMOTE_HFENCE_VVMA: 6,
} as const;

/** HSM function IDs (ch. 9). */
export const SBI_HSM = { HART_START: 0, HART_STOP: 1, HART_GET_STATUS: 2, HART_SUSPEND: 3 } as const;

/** HSM hart states (SBI v2.0 table 9.1). */
export const HSM_STATE = {
  STARTED: 0,
  STOPPED: 1,
  START_PENDING: 2,
  STOP_PENDING: 3,
  SUSPENDED: 4,
  SUSPEND_PENDING: 5,
  RESUME_PENDING: 6,
} as const;
export type HsmState = (typeof HSM_STATE)[keyof typeof HSM_STATE];

/** HART_SUSPEND suspend_type values (SBI v2.0 table 9.3). */
export const HSM_SUSPEND = { DEFAULT_RETENTIVE: 0x0000_0000, DEFAULT_NON_RETENTIVE: 0x8000_0000 } as const;

/** SRST reset types and reasons (ch. 10, tables 10.1 and 10.2). */
export const SBI_SRST = {
  SHUTDOWN: 0,
  COLD_REBOOT: 1,
  WARM_REBOOT: 2,
  REASON_NONE: 0,
  REASON_SYSTEM_FAILURE: 1,
} as const;

/** DBCN function IDs (ch. 12). */
export const SBI_DBCN = { CONSOLE_WRITE: 0, CONSOLE_READ: 1, CONSOLE_WRITE_BYTE: 2 } as const;

/** BASE get_spec_version: major in bits 30:24, minor in 23:0. */
export const SBI_SPEC_VERSION_2_0 = 0x0200_0000;
