// The same unmodified VMM, bare and under CloudVisor: two labOS guests with disks and rng on two
// harts answer a script covering files, selftest and every bench identically in both modes
// (timing figures aside), and the protected host records no refusal on the way.
import { describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { GuestSession, LABOS_PROMPT } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { normalizeTranscript } from '../../guests/transcript';

const SCRIPT = [
  'write hello a note from the lab',
  'ls',
  'cat hello',
  'hexdump hello',
  'rm hello',
  'secret where',
  'selftest',
  'bench cpu 1',
  'bench mem 1',
  'bench disk 1',
  'bench exit 200',
  'uptime',
];
const BUDGET = 2_000_000_000;

function commandOutput(session: GuestSession, dom: number, line: string): string {
  const before = session.output(dom).length;
  if (!session.type(dom, line, BUDGET)) throw new Error(`dom${dom}: no prompt after '${line}'`);
  const text = session.output(dom).slice(before).replace(/\r/g, '');
  return normalizeTranscript(text.slice(text.indexOf('\n') + 1, text.lastIndexOf(LABOS_PROMPT)));
}

async function transcripts(mode: 'bare' | 'protected'): Promise<{ out: string[][]; refusals: number }> {
  const host = await VmmHost.create({ seed: 'protected-vs-bare', harts: 2, mode, disk: new MemoryDiskBacking(64 << 20) });
  try {
    const session = new GuestSession(host);
    host.putFile('labos.elf', loadGuestImage('labos'));
    for (const name of ['vm1', 'vm2']) {
      expect(host.toolstack(`create name=${name} kernel=labos.elf memory=32 rng=1 disk=vol=${name},size=8M,access=rw`).ok).toBe(true);
    }
    for (const dom of [1, 2]) expect(session.waitFor(dom, LABOS_PROMPT, BUDGET)).toBe(true);
    const out = [1, 2].map((dom) => [normalizeTranscript(session.output(dom)), ...SCRIPT.map((line) => commandOutput(session, dom, line))]);
    expect(session.failures).toEqual([]);
    return { out, refusals: session.monitorEvents.filter((e) => e.outcome !== 'allowed').length };
  } finally {
    host.dispose();
  }
}

describe('labOS under CloudVisor against labOS on the bare VMM', () => {
  it('prints the same boot log and answers the same script, with no refusal', async () => {
    const bare = await transcripts('bare');
    const guarded = await transcripts('protected');
    expect(guarded.out).toEqual(bare.out);
    expect(guarded.refusals).toBe(0);
    expect(bare.out[0]?.find((t) => t.includes('SELFTEST'))).toContain('SELFTEST ok');
  }, 300_000);
});
