// Two labOS guests with disks, on two harts of a bare host (VMM in its engine, our hart), answer
// the same shell script as labOS on QEMU (labfw + labOS, virtio-blk disk): per command, the
// consoles must be identical modulo the timing lines labOS marks (BENCH values, UPTIME).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDiskBacking } from '../../../core/hw/devices/disk-backing';
import { loadGuestImage } from '../../../core/lab/host/guest-images';
import { GuestSession, LABOS_PROMPT } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { QemuSession } from '../../guests/qemu-session';
import { normalizeTranscript } from '../../guests/transcript';

const SCRIPT = [
  'help',
  'write hello a note from the lab',
  'ls',
  'cat hello',
  'hexdump hello',
  'rm hello',
  'ls',
  'nosuchcommand',
  'secret where',
  'selftest',
  'bench cpu 1',
  'bench mem 1',
  'bench disk 1',
  'bench exit 200',
  'uptime',
];
const BUDGET = 2_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'cvl-bare-qemu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onQemu(): Promise<string[]> {
  const disk = join(dir, 'qemu-disk.img');
  writeFileSync(disk, new Uint8Array(8 << 20));
  const qemu = QemuSession.start({ disk, memMiB: 32 });
  const out: string[] = [];
  for (const line of SCRIPT) out.push(await qemu.command(line, 60_000));
  await qemu.finish('halt');
  return out;
}

/**
 * The free-memory figure of `uptime` depends on the platform around the kernel (QEMU's firmware
 * and device tree against the VMM's): it differs by a page, so it is compared as a shape only.
 */
function comparable(text: string): string {
  return normalizeTranscript(text).replace(/memory \d+ KiB free of (\d+) KiB/, 'memory <n> KiB free of $1 KiB');
}

/** What one command printed, between its echoed line and the next prompt. */
function commandOutput(session: GuestSession, dom: number, line: string): string {
  const before = session.output(dom).length;
  if (!session.type(dom, line, BUDGET)) throw new Error(`dom${dom}: no prompt after '${line}'`);
  const text = session.output(dom).slice(before).replace(/\r/g, '');
  const start = text.indexOf('\n') + 1;
  return text.slice(start, text.lastIndexOf(LABOS_PROMPT));
}

describe('labOS on the bare VMM against labOS on QEMU', () => {
  it('answers the same script on two guests, two harts', async () => {
    const expected = await onQemu();
    const host = await VmmHost.create({ seed: 'bare-vs-qemu', harts: 2, disk: new MemoryDiskBacking(64 << 20) });
    try {
      const session = new GuestSession(host);
      host.putFile('labos.elf', loadGuestImage('labos'));
      for (const name of ['vm1', 'vm2']) {
        const created = host.toolstack(`create name=${name} kernel=labos.elf memory=32 disk=vol=${name},size=8M,access=rw`);
        expect(created).toMatchObject({ ok: true });
      }
      for (const dom of [1, 2]) expect(session.waitFor(dom, LABOS_PROMPT, BUDGET)).toBe(true);
      for (const dom of [1, 2]) {
        const got = SCRIPT.map((line) => comparable(commandOutput(session, dom, line)));
        expect(got).toEqual(expected.map(comparable));
      }
    } finally {
      host.dispose();
    }
  }, 300_000);
});
