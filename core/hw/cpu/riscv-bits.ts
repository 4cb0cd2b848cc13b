// Memory access kinds of the hart's translation and PMP checks: the emulator's own encoding,
// not the spec's. The architectural constants (causes, CSR fields, PTE bits) are in
// core/spec/riscv-priv.ts.

/** Memory access kinds used by translation and PMP. */
export const ACCESS = { FETCH: 0, LOAD: 1, STORE: 2 } as const;
export type AccessKind = (typeof ACCESS)[keyof typeof ACCESS];
