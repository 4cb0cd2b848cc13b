// Property test of CloudVisor (issue 7): a malicious VMM, played from the lab side through the
// monitor's own hypervisor interface, runs long seeded random sequences of mappings, fences,
// register and control writes, memory accesses, DMA and runs against a protected host with two
// booted labOS guests; after every step the trusted checker reads the real state (owner table,
// shadow maps, RAM, disk, real registers). Failures print the seed and the sequence to replay.
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../core/hw/elf';
import { FuzzHost } from '../../core/lab/fuzz/fuzz-host';
import { InvariantChecker } from '../../core/lab/fuzz/invariant-checker';
import { loadGuestImage } from '../../core/lab/host/guest-images';
import { DirectExecutor } from '../../core/lab/fuzz/direct-executor';
import { generateOps, type GeneratorOptions } from '../../core/lab/fuzz/op-generator';
import { describeFailure, runSequence, type RunOptions } from '../../core/lab/fuzz/fuzz-run';

async function property(seed: string, steps: number, generator: Omit<GeneratorOptions, 'guests'>, options: Omit<RunOptions, 'seed'>) {
  const ops = generateOps(seed, steps, { guests: 2, ...generator });
  const report = await runSequence(ops, { seed, guests: 2, ...options }, (fuzz, checker) => new DirectExecutor(fuzz, checker));
  return { ops, report };
}

describe('CloudVisor under a random malicious VMM', () => {
  it('keeps every invariant under refuse-and-continue through a long sequence', async () => {
    const { ops, report } = await property('properties-refuse', 200, { join: true }, { policy: 'refuse-and-continue' });
    expect(report.violations, describeFailure(report, ops)).toEqual([]);
    expect(report.stepsRun).toBe(200);
    expect(report.failStopped).toEqual([]);
  }, 120_000);

  it('keeps every invariant under fail-stop (stopped guests stay stopped, the others pass selftest)', async () => {
    const { ops, report } = await property('properties-fail-stop', 150, { join: true }, { policy: 'fail-stop' });
    expect(report.violations, describeFailure(report, ops)).toEqual([]);
    expect(report.stepsRun).toBe(150);
  }, 120_000);

  it('has teeth: with one defense off, the checker catches what that defense stops', async () => {
    const entry = await property('ablate-entryChecks', 80, { join: true }, { policy: 'refuse-and-continue', defenses: { entryChecks: false }, stopAtFirst: true });
    expect(entry.report.violations[0]?.invariant).toBe('registers');
    const hiding = await property('ablate-registerHiding', 80, { join: true }, { policy: 'refuse-and-continue', defenses: { registerHiding: false }, stopAtFirst: true });
    expect(hiding.report.violations[0]?.detail).toMatch(/the VMM reads \w+ = /);
  }, 120_000);

  it('is reproducible: the same seed gives the same operations and the same monitor decisions', async () => {
    const first = await property('properties-replay', 40, { join: false }, { policy: 'refuse-and-continue', liveness: false });
    const second = await property('properties-replay', 40, { join: false }, { policy: 'refuse-and-continue', liveness: false });
    expect(second.ops).toEqual(first.ops);
    expect(second.report.trace).toEqual(first.report.trace);
  }, 120_000);
});

/** The first `ecall` in labOS's executable segments: a gadget any VMM can find in the public image. */
function ecallGadget(): number {
  for (const segment of parseElf(loadGuestImage('labos')).segments) {
    if ((segment.flags & 1) === 0) continue;
    const words = new DataView(segment.data.buffer, segment.data.byteOffset, segment.data.byteLength);
    for (let at = 0; at + 4 <= segment.data.length; at += 4) if (words.getUint32(at, true) === 0x73) return segment.paddr + at;
  }
  throw new Error('no ecall in labOS');
}

describe('a vCPU the VMM adds to a running guest', () => {
  it('cannot enter it at a gadget with forged registers to open the console window on the key', async () => {
    const fuzz = await FuzzHost.boot({ seed: 'properties-join', guests: 2, policy: 'refuse-and-continue' });
    try {
      const checker = new InvariantChecker(fuzz);
      const mon = fuzz.monitor;
      const [victim] = fuzz.guests;
      if (!victim) throw new Error('no guest');
      // SBI DBCN console write (a7 = "DBCN", a6 = 0) of the key's 32 bytes, as if the guest asked.
      const id = mon.vcpu.create();
      mon.vcpu.setControls(id, { hgatp: mon.vcpu.controls(victim.vcpu).hgatp });
      mon.vcpu.setRegs(id, { pc: ecallGadget(), x17: 0x4442_434e, x16: 0, x10: 32, x11: victim.secretGpa, x12: 0 });
      fuzz.host.hyp.hartId = 1;
      const exits: string[] = [];
      for (let i = 0; i < 4; i++) {
        fuzz.host.hyp.quantumLeft[1] = 20_000;
        try {
          exits.push(mon.vcpu.run(id).kind);
        } catch (error) {
          exits.push(String(error));
        }
      }
      let stolen: Uint8Array | null = null;
      try {
        stolen = mon.mem.read(victim.secretPa, 32);
      } catch {
        stolen = null;
      }
      const found = [...checker.checkEntries(), ...(stolen ? checker.checkObtained('console window', stolen) : [])];
      expect(found, `exits: ${exits.join(', ')}`).toEqual([]);
      expect(stolen).toBeNull();
    } finally {
      fuzz.dispose();
    }
  }, 120_000);
});
