// What the monitor reports and what can be switched off (CLOUDVISOR.md section 6): every decision,
// allowed or refused, is one MonitorEvent for the lab; each defense can be turned off on its own,
// and the policy on detection is fail-stop of the VM by default, "refuse and continue" as option.

export type MonitorMechanism =
  | 'ept-x'
  | 'ownership'
  | 'register-hiding'
  | 'entry-check'
  | 'scrub'
  | 'launch'
  | 'io-whitelist'
  | 'iommu'
  | 'disk-crypto'
  | 'disk-integrity';

export type MonitorOutcome = 'allowed' | 'refused' | 'fail-stop';

export interface MonitorEvent {
  /** Host timebase ticks. */
  readonly time: number;
  readonly hart: number;
  /** The VM concerned, or null for the VMM's own memory. */
  readonly vm: number | null;
  readonly mechanism: MonitorMechanism;
  readonly attempted: string;
  readonly outcome: MonitorOutcome;
}

export interface Defenses {
  /** The VMM reaches only its own frames through hyp.mem. */
  readonly eptx: boolean;
  /** Frame owners are checked before a shadow G-stage mapping. */
  readonly ownership: boolean;
  /** Frames are zeroed when they join a running VM and when they go back to the VMM. */
  readonly zeroing: boolean;
  /** Registers an exit does not need read as zero. */
  readonly registerHiding: boolean;
  /** Register changes outside the exit's rights are refused on resume. */
  readonly entryChecks: boolean;
  /** Devices reach only VMM frames by DMA (the monitor's IOMMU contexts). */
  readonly iommu: boolean;
  /** A protected VM's virtio-blk data is encrypted for the VMM and verified on its way back. */
  readonly diskCrypto: boolean;
}

export const ALL_DEFENSES: Defenses = { eptx: true, ownership: true, zeroing: true, registerHiding: true, entryChecks: true, iommu: true, diskCrypto: true };

export type DetectionPolicy = 'fail-stop' | 'refuse-and-continue';

export type MonitorListener = (event: MonitorEvent) => void;
