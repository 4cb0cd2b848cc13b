// Where QEMU 7.2 departs from the RISC-V specs, the hart is checked against the spec instead:
// each entry names the program, the transcript line it rewrites, the spec's value and the
// section that requires it. Everything not listed here must match QEMU's transcript exactly.
export interface SpecOverride {
  /** program name (assets/tests/hart/src/NAME.{c,S}) */
  program: string;
  /** which line of QEMU's transcript is wrong */
  line: RegExp;
  /** the `name=value` field to rewrite; absent: the whole line is replaced by `value` */
  field?: string;
  /** what the spec requires */
  value: string;
  /** the rule, in a sentence, and where the spec states it */
  rule: string;
}

export const SPEC_OVERRIDES: readonly SpecOverride[] = [
  {
    program: 'rv32a',
    line: /^T amo misaligned /,
    field: 'c',
    value: '00000006',
    rule:
      'A misaligned AMO raises store/AMO address-misaligned (cause 6), not load (QEMU: 4). ' +
      'Unpriv 20191213 section 8.4 "AMOs" + priv 1.12 table 3.6 (exception code 6 "Store/AMO address misaligned").',
  },
  {
    program: 'rv32a',
    line: /^T sc misaligned none$/,
    value: 'T sc misaligned M c=00000006 v=80040002 e=+00000000 t2=00000000 ti=00000000 mpp=3 mpv=0 gva=0',
    rule:
      'SC.W to a misaligned address raises an address-misaligned exception whether or not a ' +
      'reservation is held (QEMU fails the SC silently). Unpriv 20191213 section 8.2 "For LR and SC, ' +
      'the A extension requires that the address held in rs1 be naturally aligned ... If the address ' +
      'is not naturally aligned, an address-misaligned exception or an access-fault exception will be generated."',
  },
  {
    program: 'zicsr',
    line: /^T csrrs ro rs1=zero-reg none$/,
    value: 'T csrrs ro rs1=zero-reg M c=00000002 v=f14323f3 e=+00000000 t2=00000000 ti=00000000 mpp=3 mpv=0 gva=0',
    rule:
      'CSRRS with rs1 != x0 is a write attempt even when the register holds zero, so it traps on a ' +
      'read-only CSR (QEMU does not). Unpriv 20191213 section 9.1 (CSRRS/CSRRC "if rs1=x0 ... will not ' +
      'write to the CSR at all"; only x0 exempts) + priv 1.12 section 2.1 (writes to read-only CSRs raise illegal instruction).',
  },
  {
    program: 'zicsr',
    line: /^medeleg ones /,
    value: 'medeleg ones 00f0b7ff',
    rule: 'medeleg[11] (environment call from M-mode) is read-only zero (QEMU lets it be set). Priv 1.12 section 3.1.8.',
  },
  {
    program: 'zicsr',
    line: /^mip ones /,
    value: 'mip ones 00000226',
    rule:
      'mip.VSTIP and mip.VSEIP alias hip.VSTIP/hip.VSEIP, which are read-only (the OR of hvip and platform ' +
      'sources); writing mip cannot set them (QEMU shares storage with hvip). Priv 1.12 section 8.2.3 (hip/hie).',
  },
  {
    program: 'zicsr',
    line: /^mepc ones /,
    value: 'mepc ones fffffffc',
    rule: 'With IALIGN=32 only (no C extension) mepc[1:0] always read zero (QEMU keeps the raw value). Priv 1.12 section 3.1.14.',
  },
  {
    program: 'zicsr',
    line: /^sepc ones /,
    value: 'sepc ones fffffffc',
    rule: 'With IALIGN=32 only (no C extension) sepc[1:0] always read zero (QEMU keeps the raw value). Priv 1.12 section 4.1.7.',
  },
  {
    program: 'zicsr',
    line: /^vsepc ones /,
    value: 'vsepc ones fffffffc',
    rule: 'With IALIGN=32 only (no C extension) vsepc[1:0] always read zero (QEMU keeps the raw value). Priv 1.12 section 8.2.15.',
  },
  {
    program: 'zicsr',
    line: /^hstatus ones /,
    value: 'hstatus ones 007003c0',
    rule:
      'hstatus keeps only GVA, SPV, SPVP, HU, VTVM, VTW, VTSR on RV32 here: WPRI fields are read-only zero, VSBE is ' +
      'zero on a little-endian hart and VGEIN may only hold 0..GEILEN with GEILEN=0 (hgeie reads 0). QEMU stores all ' +
      'bits. Priv 1.12 sections 2.3 (WPRI) and 8.2.1 (hstatus).',
  },
  {
    program: 'zicsr',
    line: /^hgatp ones /,
    value: 'hgatp ones 9ffffffc',
    rule:
      'RV32 hgatp bits 30:29 are zero and, for Sv32x4, the two low PPN bits always read as zero (16 KiB root). ' +
      'Priv 1.12 section 8.2.10 (hgatp).',
  },
  {
    program: 'zicsr',
    line: /^vsstatus ones /,
    value: 'vsstatus ones 800c0722',
    rule:
      'vsstatus has exactly sstatus\'s fields, the others read as zero (QEMU stores every bit). ' +
      'Priv 1.12 section 8.2.11 (vsstatus), the same WARL read-back as sstatus above.',
  },
  {
    program: 'exceptions',
    line: /^T (jal|beq taken) \+6 /,
    field: 'v',
    value: '+00000006',
    rule:
      'An instruction-address-misaligned exception from a taken JAL/branch writes the misaligned target to mtval ' +
      '(QEMU 7.2 leaves a stale value). Priv 1.12 section 3.1.16 (mtval "faulting virtual address") with unpriv 2.5.',
  },
  {
    program: 'exceptions',
    line: /^T amo hole /,
    field: 'c',
    value: '00000007',
    rule:
      'An AMO that faults reports the store/AMO exception (access fault 7) even though it also reads (QEMU 7.2: ' +
      'load access fault 5). Priv 1.12 table 3.6 ("Store/AMO access fault") and section 3.7.1.',
  },
  {
    program: 'deleg',
    line: /^(?!load-fault from V).* M c=/,
    field: 'gva',
    value: '0',
    rule:
      'Every trap into M-mode rewrites mstatush.GVA: 1 only when mtval holds a guest virtual address, else 0 ' +
      '(QEMU 7.2 never clears it, so it stays 1 after the first trap from V=1). Priv 1.12 section 8.2.12 ' +
      '(mstatus/mstatush additions: "GVA ... written by the implementation whenever a trap is taken into M-mode").',
  },
  {
    program: 'deleg',
    line: /^illegal from V[SU]:T {2}V c=00000001 /,
    field: 'c',
    value: '00000002',
    rule:
      'An illegal-instruction exception delegated to VS keeps cause 2; only VS-level interrupts are renumbered ' +
      '(QEMU 7.2 also subtracts 1 from exception codes 2/6/10). Priv 1.12 section 8.6.4 ("Trap Entry": vscause ' +
      'gets the VS-level interrupt translated, exception codes unchanged).',
  },
  {
    program: 'irq',
    line: /^L priority MSI MTI SSI /,
    value: 'L priority MSI MTI SSI M:i3 M:i7 M:i1',
    rule:
      'Simultaneous M-mode interrupts are taken in the order MEI, MSI, MTI, SEI, SSI, STI (QEMU 7.2 takes the ' +
      'lowest cause number first: SSI, MSI, MTI). Priv 1.12 section 3.1.9 (mip/mie).',
  },
  {
    program: 'irq',
    line: /^VSTI vsip /,
    value: 'VSTI vsip 00000020',
    rule:
      'With hideleg bit 6 set, vsip.STIP is an alias of hip.VSTIP (QEMU 7.2 reads 0). Priv 1.12 section 8.2.x ' +
      '"Virtual Supervisor Interrupt Registers (vsip and vsie)".',
  },
  {
    program: 'irq',
    line: /^VSEI vsip /,
    value: 'VSEI vsip 00000200',
    rule:
      'With hideleg bit 10 set, vsip.SEIP is an alias of hip.VSEIP (QEMU 7.2 reads 0). Priv 1.12 section 8.2.x ' +
      '"Virtual Supervisor Interrupt Registers (vsip and vsie)".',
  },
  {
    program: 'privops',
    line: /^MPRV after mret to S /,
    value: 'MPRV after mret to S 00000000',
    rule:
      'MRET (and SRET) to a privilege below M clears mstatus.MPRV (QEMU 7.2 leaves it set). ' +
      'Priv 1.12 section 3.1.6.3 ("An MRET or SRET instruction that changes the privilege mode to a mode less ' +
      'privileged than M also sets MPRV=0").',
  },
  {
    program: 'privops',
    line: /^TVM csrr hgatp S: ok$/,
    value: 'TVM csrr hgatp S: M c=00000002 v=68002573',
    rule:
      'With mstatus.TVM=1, reading or writing hgatp in HS-mode raises illegal instruction (QEMU 7.2 allows it). ' +
      'Priv 1.12 section 8.2.10 (hgatp) and 3.1.6.5 (TVM).',
  },
];
