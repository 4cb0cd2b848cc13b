// The HS layer's side of the PLIC (QEMU virt layout, docs/hw/plic.md): route a host device's
// interrupt to every hart's S context, and claim/complete what a hart's S context has pending
// when HS takes a supervisor external interrupt.
import { PLIC } from '../../spec/plic';
import type { PhysicalBus } from '../memory/physical-bus';

const sContext = (hart: number): number => 2 * hart + 1;

export function routeToSupervisor(bus: PhysicalBus, plicBase: number, harts: number, source: number): void {
  bus.store(plicBase + PLIC.PRIORITY_BASE + 4 * source, 4, 1);
  for (let h = 0; h < harts; h++) {
    const ctx = sContext(h);
    const enable = plicBase + PLIC.ENABLE_BASE + PLIC.ENABLE_STRIDE * ctx + 4 * (source >>> 5);
    bus.store(enable, 4, (bus.load(enable, 4) | (1 << (source & 31))) >>> 0);
    bus.store(plicBase + PLIC.CONTEXT_BASE + PLIC.CONTEXT_STRIDE * ctx + PLIC.CONTEXT_THRESHOLD, 4, 0);
  }
}

function claimAddress(plicBase: number, hart: number): number {
  return plicBase + PLIC.CONTEXT_BASE + PLIC.CONTEXT_STRIDE * sContext(hart) + PLIC.CONTEXT_CLAIM;
}

/**
 * Claims every source pending for `hart`'s S context (a claimed source stays quiet until it is
 * completed, so this ends); the caller completes each once its device is acknowledged.
 */
export function claimSupervisorInterrupts(bus: PhysicalBus, plicBase: number, hart: number): number[] {
  const sources: number[] = [];
  for (let i = 0; i < PLIC.NUM_SOURCES; i++) {
    const source = bus.load(claimAddress(plicBase, hart), 4) >>> 0;
    if (source === 0) break;
    sources.push(source);
  }
  return sources;
}

export function completeSupervisorInterrupt(bus: PhysicalBus, plicBase: number, hart: number, source: number): void {
  bus.store(claimAddress(plicBase, hart), 4, source);
}
