// SBI v2.0 extension and function IDs, error codes and HSM states (RISC-V Supervisor Binary
// Interface Specification v2.0: ch. 3 binary encoding, ch. 4 BASE, 5 legacy, 6 TIME, 7 IPI,
// 8 RFENCE, 9 HSM, 10 SRST, 12 DBCN). Same numbers as assets/guests/common/sbi.h.

export const SBI_EXT = {
  LEGACY_SET_TIMER: 0x00,
  LEGACY_PUTCHAR: 0x01,
  LEGACY_GETCHAR: 0x02,
  LEGACY_SHUTDOWN: 0x08,
  BASE: 0x10,
  TIME: 0x5449_4d45,
  IPI: 0x0073_5049,
  RFENCE: 0x5246_4e43,
  HSM: 0x0048_534d,
  SRST: 0x5352_5354,
  DBCN: 0x4442_434e,
} as const;

export const SBI_BASE = {
  GET_SPEC_VERSION: 0,
  GET_IMPL_ID: 1,
  GET_IMPL_VERSION: 2,
  PROBE_EXT: 3,
  GET_MVENDORID: 4,
  GET_MARCHID: 5,
  GET_MIMPID: 6,
} as const;

export const SBI_RFENCE = {
  FENCE_I: 0,
  SFENCE_VMA: 1,
  SFENCE_VMA_ASID: 2,
  HFENCE_GVMA_VMID: 3,
  HFENCE_GVMA: 4,
  HFENCE_VVMA_ASID: 5,
  HFENCE_VVMA: 6,
} as const;

export const SBI_HSM = {
  HART_START: 0,
  HART_STOP: 1,
  HART_GET_STATUS: 2,
  HART_SUSPEND: 3,
  STARTED: 0,
  STOPPED: 1,
  START_PENDING: 2,
  STOP_PENDING: 3,
  SUSPENDED: 4,
  SUSPEND_RETENTIVE: 0,
  SUSPEND_NON_RETENTIVE: 0x8000_0000,
} as const;

export const SBI_SRST = {
  SHUTDOWN: 0,
  COLD_REBOOT: 1,
  WARM_REBOOT: 2,
  REASON_NONE: 0,
  REASON_FAILURE: 1,
} as const;

export const SBI_DBCN = { WRITE: 0, READ: 1, WRITE_BYTE: 2 } as const;

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

export const SBI_SPEC_VERSION_2_0 = 0x0200_0000;
/** SBI implementation ID 7 is the Xen Project's (SBI spec 4.9): this is a Xen-like VMM. */
export const SBI_IMPL_ID_XEN = 7;
export const SBI_IMPL_VERSION = 0x0001_0000;
