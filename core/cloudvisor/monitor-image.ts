// What the dynamic launch measures (CLOUDVISOR.md sections 1 and 5): the monitor's image is the
// code that runs as the monitor (the source text of its classes and functions as this build
// carries them) plus its configuration, so a quote of the dynamic PCR tells a verifier both which
// monitor runs and whether any of its defenses was switched off.
import { sha256 } from '../hw/tpm/pcr-bank';
import { DiskGuard } from './disk-guard';
import { DmaGuard } from './dma-guard';
import { FrameOwners } from './frame-owners';
import { IoWhitelist } from './io-whitelist';
import type { Defenses, DetectionPolicy } from './monitor-events';
import { MonitorFramePool } from './monitor-frame-pool';
import { MonitorHyp } from './monitor-hyp';
import { SectorTree } from './sector-tree';
import { ShadowGStage } from './shadow-gstage';
import { exitRights, filterChanges, guestView } from './vcpu-guard';
import { VirtioWatch } from './virtio-watch';
import { VmRegistry } from './vm-registry';
import { scanVmmGStage } from './vmm-gstage-scan';
import { walkVmmGStage } from './vmm-gstage-walk';
import { XtsCipher } from './xts-cipher';

export const MONITOR_NAME = 'CloudVisor';
export const MONITOR_VERSION = '1.0';

export interface MonitorConfig {
  readonly defenses: Defenses;
  readonly policy: DetectionPolicy;
  readonly monitorBytes: number;
}

const CODE: readonly { readonly name: string; toString(): string }[] = [
  MonitorHyp, ShadowGStage, FrameOwners, MonitorFramePool, VmRegistry, DmaGuard, VirtioWatch, IoWhitelist,
  exitRights, filterChanges, guestView, scanVmmGStage, walkVmmGStage, DiskGuard, SectorTree, XtsCipher,
];

/** The bytes the launch measures: a configuration header, then every piece of monitor code. */
export function monitorImage(config: MonitorConfig): Uint8Array {
  const defenses = Object.entries(config.defenses).sort(([a], [b]) => a.localeCompare(b));
  const header = JSON.stringify({ name: MONITOR_NAME, version: MONITOR_VERSION, defenses, policy: config.policy, monitorBytes: config.monitorBytes });
  const body = CODE.map((piece) => `// ${piece.name}\n${piece.toString()}`).join('\n');
  return new TextEncoder().encode(`${header}\n${body}\n`);
}

/**
 * The dynamic PCR a verifier expects after launching this image: the launch resets it to zero
 * and extends it once with SHA-256 of the image (TPM PC Client rules, PCR 17 at locality 4).
 */
export function expectedLaunchPcr(image: Uint8Array): Uint8Array {
  return sha256(new Uint8Array(32), sha256(image));
}
