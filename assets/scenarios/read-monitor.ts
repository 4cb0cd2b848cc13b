// Reading the monitor's own memory.
import type { Scenario } from '../../core/lab/scenarios/scenario';

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

const scenario: Scenario = {
  id: 'read-monitor',
  title: "Read the monitor's own memory",
  description:
    "The VMM probes for the top of RAM and reads the first page of the 8 MiB where CloudVisor keeps its code, owner " +
    "table and shadow G-stages. On a bare host nothing lives there but RAM the VMM owns, which it reads as it " +
    "pleases (there is no monitor to protect); under CloudVisor the monitor's frames are outside the VMM's view.",
  references: [
    { kind: 'paper', title: 'Zhang et al., CloudVisor: Retrofitting Protection of Virtual Machines in Multi-tenant Cloud with Nested Virtualization, SOSP 2011' },
    { kind: 'publication', title: 'Wojtczuk and Rutkowska, Attacking SMM Memory via Intel CPU Cache Poisoning, 2009' },
  ],
  guests: [{ name: 'vm1' }],
  steps: [{ guest: 'vm1', type: 'uptime' }],
  patch: { file: 'read-monitor.patch.ts' },
  goal(facts) {
    const read = facts.exfiltrated.find((e) => e.label.startsWith('monitor memory at 0x'));
    if (!read) return { achieved: false, summary: 'the VMM read nothing above its own RAM' };
    const pa = Number.parseInt(read.label.slice('monitor memory at 0x'.length), 16);
    if (!same(read.bytes, facts.readHost(pa, read.bytes.length))) return { achieved: false, summary: 'what the VMM sent is not what that memory holds' };
    return facts.machine.monitorBase === null
      ? { achieved: true, summary: `a bare VMM reads the top of RAM (0x${pa.toString(16)}); there is no monitor to protect`, lost: [`${read.bytes.length} bytes at 0x${pa.toString(16)}`] }
      : { achieved: true, summary: `the VMM read the monitor's memory at 0x${pa.toString(16)}`, lost: [`${read.bytes.length} bytes of the monitor's memory`] };
  },
  expected: { bare: 'compromised', protected: 'defended', ablation: { eptx: 'compromised' } },
};

export default scenario;
