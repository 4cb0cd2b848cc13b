// Storage slots of the hart's CSR state inside one Int32Array, so a snapshot is one copy.
// Invariant: every architectural CSR value the hart keeps lives here (64-bit registers as
// two slots); derived CSRs (sstatus, sie, sip, vsip, time...) are computed from these.

export const SLOT = {
  MSTATUS: 0,
  MSTATUSH: 1,
  MEDELEG: 2,
  MIDELEG: 3,
  MIE: 4,
  MTVEC: 5,
  MCOUNTEREN: 6,
  MSCRATCH: 7,
  MEPC: 8,
  MCAUSE: 9,
  MTVAL: 10,
  MIP_SW: 11,
  MIP_HW: 12,
  MTINST: 13,
  MTVAL2: 14,
  MENVCFG: 15,
  MENVCFGH: 16,
  MCOUNTINHIBIT: 17,
  STVEC: 18,
  SCOUNTEREN: 19,
  SENVCFG: 20,
  SSCRATCH: 21,
  SEPC: 22,
  SCAUSE: 23,
  STVAL: 24,
  SATP: 25,
  STIMECMP: 26,
  STIMECMPH: 27,
  HSTATUS: 28,
  HEDELEG: 29,
  HIDELEG: 30,
  HCOUNTEREN: 31,
  HGEIE: 32,
  HTVAL: 33,
  HVIP: 34,
  HTINST: 35,
  HGATP: 36,
  HENVCFG: 37,
  HENVCFGH: 38,
  HTIMEDELTA: 39,
  HTIMEDELTAH: 40,
  VSTIMECMP: 41,
  VSTIMECMPH: 42,
  VSSTATUS: 43,
  VSTVEC: 44,
  VSSCRATCH: 45,
  VSEPC: 46,
  VSCAUSE: 47,
  VSTVAL: 48,
  VSATP: 49,
  PRIV: 50,
  VIRT: 51,
  WAITING: 52,
  RES_VALID: 53,
  RES_ADDR: 54,
} as const;

export const SLOT_COUNT = 55;

/** Float64 counter slots (instret/cycle exceed 32 bits; doubles are exact to 2^53). */
export const COUNTER_SLOT = {
  RETIRED: 0,
  CYCLE_DELTA: 1,
  INSTRET_DELTA: 2,
  CYCLE_FROZEN: 3,
  INSTRET_FROZEN: 4,
} as const;

export const COUNTER_SLOT_COUNT = 5;
