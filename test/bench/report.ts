// What each benchmark returns to `npm run bench`: human lines and named figures for the JSON report.
export interface BenchReport {
  readonly name: string;
  /** Lines printed as they are, e.g. "hart  sv32 on   212.4 MIPS". */
  readonly lines: readonly string[];
  /** Figures keyed by name, e.g. { hartMips: 212.4, qemuMips: 2900, ratio: 13.6 }. */
  readonly metrics: Readonly<Record<string, number>>;
}

export type Bench = () => Promise<BenchReport>;
