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
];
