// End-to-end proof of labfw + labOS on the reference machine (QEMU virt, -bios none): the guest
// images rebuild byte-identically from source, and the shell is driven through the UART with and
// without a virtio-blk disk, including corrupted disks, bad input and faulting user programs.
// The fingerprint is checked against HMAC-SHA256 computed here with the key read from the disk.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BLOCK, listEntries, readFile, readSuperblock } from '../../core/lab/inspect/labfs-reader';
import { GUESTS_DIR, PROMPT, QemuSession } from './qemu-session';
import { normalizeTranscript } from './transcript';

const work = mkdtempSync(join(tmpdir(), 'labos-test-'));
const sessions: QemuSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.kill()));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function boot(disk?: string, smp = 1): QemuSession {
  const s = QemuSession.start({ disk, smp });
  sessions.push(s);
  return s;
}

function blankDisk(name: string, mib = 4): string {
  const path = join(work, name);
  writeFileSync(path, new Uint8Array(mib << 20));
  return path;
}

function fingerprintOf(key: Uint8Array, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  return createHmac('sha256', key).update(msg).digest('hex').slice(0, 16);
}

const BENCH_LINE =
  /^BENCH (cpu|mem|disk|exit) (rounds\/s|KiB\/s|calls\/s) (\d+) instret (\d+) time_us (\d+)$/m;

describe('guest image build', () => {
  it('rebuilds from source in another directory byte-identical to the committed images', () => {
    const src = join(work, 'guests');
    cpSync(GUESTS_DIR, src, {
      recursive: true,
      filter: (p) => !/\/(build|images)(\/|$)/.test(p.slice(GUESTS_DIR.length - 1)),
    });
    execFileSync('make', ['-C', src, '-j2'], { stdio: 'pipe', timeout: 240_000 });
    for (const image of ['labos.elf', 'labfw-labos.elf']) {
      const built = readFileSync(join(src, 'images', image));
      const committed = readFileSync(join(GUESTS_DIR, 'images', image));
      expect(built.equals(committed), `${image} differs from the committed image`).toBe(true);
    }
  });
});

describe('labOS on QEMU without a disk', () => {
  it('boots, says there is no disk, keeps the secret in memory and passes selftest', async () => {
    const s = boot();
    await s.waitFor('labOS ready');
    expect(s.output).toContain('labfw: SBI v2.0 firmware, 1 hart(s), RAM 64 MiB at 0x80000000');
    expect(s.output).toContain('disk: no disk');
    expect(s.output).toContain('kept in memory only (no file system)');
    const st = await s.command('selftest');
    expect(st).toContain('selftest: fs: skipped (no disk)');
    expect(st).toContain('selftest: sbi: v2.0 with TIME IPI RFENCE HSM SRST DBCN, refusals ok');
    expect(st).toMatch(/^SELFTEST ok$/m);
    expect(await s.command('ls')).toBe('ls: no file system (no disk, or the disk failed to mount)\n');
    expect(await s.command('bench disk')).toBe('BENCH disk skipped no-file-system\n');
    expect(await s.command('secret')).toMatch(/^SECRET fingerprint [0-9a-f]{16} counter \d+ store memory\n$/);
    expect(await s.finish('halt')).toBe(0);
  });

  it('mixes a virtio-rng device into the key when there is one', async () => {
    const s = QemuSession.start({ rng: true });
    sessions.push(s);
    await s.waitFor('labOS ready');
    expect(s.output).toContain(
      'secret: new key from rng-seed and virtio-rng, kept in memory only (no file system)',
    );
    expect(await s.finish('halt')).toBe(0);
  });

  it('boots the second hart through SBI HSM', async () => {
    const s = boot(undefined, 2);
    await s.waitFor('labOS ready');
    expect(s.output).toContain('smp: hart 1 online (idle)');
    expect(s.output).toContain('smp: 2 of 2 harts online');
    const st = await s.command('selftest');
    expect(st).toContain('selftest: smp: IPI and remote fence answered by 1 other hart(s)');
    expect(st).toMatch(/^SELFTEST ok$/m);
    expect(await s.command('uptime')).toMatch(
      /^UPTIME \d+\.\d{3} s\nharts 2\/2 online, memory \d+ KiB free of 65536 KiB\n$/,
    );
    expect(await s.finish('halt')).toBe(0);
  });
});

describe('labOS on QEMU with a virtio-blk disk', () => {
  it('formats a blank disk, runs the file commands, and keeps the key in /secret', async () => {
    const disk = blankDisk('fresh.img');
    const s = boot(disk);
    await s.waitFor('labOS ready');
    expect(s.output).toContain('fs: blank disk, formatting labfs (1024 blocks)');
    expect(s.output).toContain('secret: new key from rng-seed, stored in /secret');
    expect(await s.command('ls')).toMatch(/^secret +32\n$/);
    expect(await s.command('write note hello  lab world')).toBe('wrote 16 bytes to note\n');
    expect(await s.command('cat note')).toBe('hello  lab world\n');
    expect(await s.command('hexdump note')).toBe(
      '00000000  68 65 6c 6c 6f 20 20 6c  61 62 20 77 6f 72 6c 64  |hello  lab world|\n00000010\n',
    );
    expect(await s.command('write gone x')).toBe('wrote 1 bytes to gone\n');
    expect(await s.command('rm gone')).toBe('removed gone\n');
    expect(await s.command('ls')).toMatch(/^secret +32\nnote +16\n$/);
    const st = await s.command('selftest');
    expect(st).toContain('selftest: fs: all file checksums ok');
    expect(st).toContain('selftest: secret: /secret matches the key in memory');
    expect(st).toMatch(/^SELFTEST ok$/m);
    const where = await s.command('secret where');
    const m = /^SECRET where va 0xf0000000 pa 0x([0-9a-f]{8}) len 32\n$/.exec(where);
    expect(m).not.toBeNull();
    const pa = parseInt(m?.[1] ?? '0', 16);
    expect(pa % 4096).toBe(0);
    expect(pa).toBeGreaterThanOrEqual(0x80200000);
    expect(pa).toBeLessThan(0x84000000);
    const fp = /^SECRET fingerprint ([0-9a-f]{16}) counter (\d+) store disk\n$/.exec(
      await s.command('secret'),
    );
    expect(fp).not.toBeNull();
    const watched = [
      ...(await s.command('secret watch 2')).matchAll(
        /^SECRET fingerprint ([0-9a-f]{16}) counter (\d+) store disk$/gm,
      ),
    ];
    expect(watched).toHaveLength(2);
    expect(Number(watched[1]?.[2])).toBeGreaterThan(Number(watched[0]?.[2])); // the key is in use
    expect(await s.finish('halt')).toBe(0);

    const image = new Uint8Array(readFileSync(disk));
    expect(readSuperblock(image)).toEqual({ totalBlocks: 1024, crcOk: true });
    expect(listEntries(image).map((e) => e.name)).toEqual(['secret', 'note']);
    expect(Buffer.from(readFile(image, 'note')).toString()).toBe('hello  lab world');
    const key = readFile(image, 'secret');
    expect(key.length).toBe(32);
    expect(fp?.[1]).toBe(fingerprintOf(key, Number(fp?.[2])));
    for (const w of watched) expect(w[1]).toBe(fingerprintOf(key, Number(w[2])));

    // Second boot: the same key comes back from the disk.
    const again = boot(disk);
    await again.waitFor('labOS ready');
    expect(again.output).toContain('secret: key loaded from /secret');
    const fp2 = /^SECRET fingerprint ([0-9a-f]{16}) counter (\d+) store disk\n$/.exec(
      await again.command('secret'),
    );
    expect(fp2?.[1]).toBe(fingerprintOf(key, Number(fp2?.[2])));
    expect(await again.finish('halt')).toBe(0);
  });

  it('prints one BENCH line per benchmark', async () => {
    const s = boot(blankDisk('bench.img'));
    const out = await s.command('bench all', 60_000);
    const lines = out.trim().split('\n');
    expect(lines.map((l) => BENCH_LINE.exec(l)?.[1])).toEqual(['cpu', 'mem', 'disk', 'exit']);
    for (const [cmd, name] of [
      ['bench cpu 2', 'cpu'],
      ['bench mem 1', 'mem'],
      ['bench disk 8', 'disk'],
      ['bench exit 100', 'exit'],
    ]) {
      const r = BENCH_LINE.exec(await s.command(cmd ?? ''));
      expect(r?.[1]).toBe(name);
      expect(Number(r?.[3])).toBeGreaterThan(0);
    }
    expect(await s.command('bench nope')).toBe('usage: bench cpu|mem|disk|exit|all [N]\n');
    expect(await s.command('bench mem 99')).toBe('bench: mem takes at most 32 (MiB)\n');
    expect(await s.command('bench cpu x')).toBe('bench: N must be a number from 1 to 1000000\n');
    expect(await s.command('selftest')).toMatch(/^SELFTEST ok$/m); // bench disk touched free space only
    expect(await s.finish('halt')).toBe(0);
  });

  it('reports corrupted file data instead of returning it', async () => {
    const disk = blankDisk('corrupt-data.img');
    const s = boot(disk);
    expect(await s.command('write doc important')).toBe('wrote 9 bytes to doc\n');
    expect(await s.finish('halt')).toBe(0);
    const image = new Uint8Array(readFileSync(disk));
    const doc = listEntries(image).find((e) => e.name === 'doc');
    const at = (doc?.start ?? 0) * BLOCK + 2;
    image[at] = (image[at] ?? 0) ^ 0x20;
    writeFileSync(disk, image);

    const t = boot(disk);
    await t.waitFor('labOS ready');
    expect(await t.command('cat doc')).toBe('cat: doc: checksum mismatch: the data is corrupted\n');
    expect(await t.command('hexdump doc')).toBe('hexdump: doc: checksum mismatch: the data is corrupted\n');
    expect(await t.command('selftest')).toMatch(/^SELFTEST FAIL fs-file-doc$/m);
    expect(await t.finish('halt')).toBe(0);
  });

  it('reports a corrupted directory entry at mount and leaves it out', async () => {
    const disk = blankDisk('corrupt-entry.img');
    const s = boot(disk);
    expect(await s.command('write keep yes')).toBe('wrote 3 bytes to keep\n');
    expect(await s.command('write lost no')).toBe('wrote 2 bytes to lost\n');
    expect(await s.finish('halt')).toBe(0);
    const image = new Uint8Array(readFileSync(disk));
    const lost = listEntries(image).find((e) => e.name === 'lost');
    const at = BLOCK + 64 * (lost?.index ?? 0) + 44; // its size field
    image[at] = 1;
    writeFileSync(disk, image);

    const t = boot(disk);
    await t.waitFor('labOS ready');
    expect(t.output).toContain(
      `fs: directory entry ${lost?.index ?? -1} is corrupt (entry checksum mismatch); ignored`,
    );
    expect(await t.command('ls')).toMatch(/^secret +32\nkeep +3\n$/);
    expect(await t.command('cat lost')).toBe('cat: lost: no such file\n');
    expect(await t.command('selftest')).toMatch(
      new RegExp(`^SELFTEST FAIL fs-entry-${lost?.index ?? -1}$`, 'm'),
    );
    expect(await t.finish('halt')).toBe(0);
  });

  it('refuses a corrupted superblock, leaves the disk untouched, and still starts the shell', async () => {
    const disk = blankDisk('corrupt-sb.img');
    const s = boot(disk);
    await s.waitFor('labOS ready');
    expect(await s.finish('halt')).toBe(0);
    const image = new Uint8Array(readFileSync(disk));
    image[40] = 0x58; // inside the label: only the checksum can tell
    writeFileSync(disk, image);

    const t = boot(disk);
    await t.waitFor('labOS ready');
    expect(t.output).toContain(
      'fs: mount failed: superblock checksum mismatch; continuing without a file system',
    );
    expect(await t.command('ls')).toBe('ls: no file system (no disk, or the disk failed to mount)\n');
    const st = await t.command('selftest');
    expect(st).toContain('selftest: fs: mount failed: superblock checksum mismatch');
    expect(st).toMatch(/^SELFTEST FAIL fs-mount$/m);
    expect(await t.finish('halt')).toBe(0);
    expect(Buffer.from(readFileSync(disk)).equals(Buffer.from(image))).toBe(true);
  });

  it('does not format a blank read-only disk', async () => {
    const s = QemuSession.start({ disk: blankDisk('readonly.img'), diskReadOnly: true });
    sessions.push(s);
    await s.waitFor('labOS ready');
    expect(s.output).toContain(
      'fs: mount failed: the disk is blank and read-only; continuing without a file system',
    );
    expect(await s.command('selftest')).toMatch(/^SELFTEST FAIL fs-mount$/m);
    expect(await s.finish('halt')).toBe(0);
  });

  it('refuses a disk that is not labfs without writing to it', async () => {
    const disk = join(work, 'garbage.img');
    const garbage = new Uint8Array(1 << 20).map((_, i) => (i * 131 + 7) & 0xff);
    writeFileSync(disk, garbage);
    const t = boot(disk);
    await t.waitFor('labOS ready');
    expect(t.output).toContain('fs: mount failed: bad magic (not a labfs disk)');
    expect(await t.finish('halt')).toBe(0);
    expect(Buffer.from(readFileSync(disk)).equals(Buffer.from(garbage))).toBe(true);
  });
});

describe('labOS robustness on QEMU', () => {
  it('answers bad input with clear errors and survives faulting user programs', async () => {
    const s = boot(blankDisk('robust.img'));
    expect(await s.command('frobnicate now')).toBe("error: unknown command 'frobnicate' (type 'help')\n");
    expect(await s.command('cat')).toBe('usage: cat NAME\n');
    expect(await s.command('rm a b')).toBe('usage: rm NAME\n');
    expect(await s.command('write onlyname')).toBe('usage: write NAME TEXT\n');
    expect(await s.command('write a/b x')).toBe(
      'write: a/b: invalid name (1-39 of A-Z a-z 0-9 . _ -; no directories)\n',
    );
    expect(await s.command(`write ${'n'.repeat(45)} x`)).toBe(
      `write: ${'n'.repeat(45)}: name too long (at most 39 characters)\n`,
    );
    expect(await s.command('cat missing')).toBe('cat: missing: no such file\n');
    expect(await s.command('rm secret')).toBe(
      'rm: secret: not permitted (the key file belongs to the kernel)\n',
    );
    expect(await s.command('write /secret x')).toBe(
      'write: /secret: not permitted (the key file belongs to the kernel)\n',
    );
    expect(await s.command('secret here')).toBe('usage: secret [where | watch N]  (N from 1 to 60)\n');
    expect(await s.command('secret watch 0')).toBe('usage: secret [where | watch N]  (N from 1 to 60)\n');
    expect(await s.command('cat secret')).toBe('cat: secret: binary file (32 bytes); use hexdump\n');
    expect(await s.command('x'.repeat(300))).toBe('error: line too long (at most 255 characters)\n');
    expect(await s.command('run nosuch')).toBe('run: nosuch: no such program (programs: shell crash spin)\n');
    for (const [mode, cause] of [
      ['null', 'store page fault'],
      ['kernel', 'load page fault'],
      ['illegal', 'illegal instruction'],
      ['exec', 'instruction page fault'],
    ]) {
      const out = await s.command(`run crash ${mode ?? ''}`);
      expect(out).toMatch(
        new RegExp(
          `^labos: killed pid \\d+ \\(crash\\): ${cause ?? ''} at pc 0x[0-9a-f]{8}, address 0x[0-9a-f]{8}$`,
          'm',
        ),
      );
      expect(out).toMatch(/^run: crash \(pid \d+\) exited with status -1$/m);
    }
    expect(await s.command('run spin 50')).toMatch(
      /^spin: spinning for 50 ms\nspin: done after 50 ms\nrun: spin \(pid \d+\) exited with status 0\n$/,
    );
    expect(await s.command('run crash badptr')).toMatch(
      /^crash: 17 of 17 bad system calls refused\nrun: crash \(pid \d+\) exited with status 0\n$/,
    );
    expect(await s.command('run spin pair')).toMatch(
      /^spin: the second process ran while this one was busy: preempted by the timer\nrun: spin \(pid \d+\) exited with status 0\n$/,
    );
    expect(await s.command('selftest')).toMatch(/^SELFTEST ok$/m);
    expect(await s.finish('halt')).toBe(0);
  });

  it('stops a runaway program on Ctrl-C and keeps the shell', async () => {
    const s = boot();
    await s.waitFor(PROMPT);
    const from = s.output.length;
    s.send('run spin 1000000\n');
    await s.waitFor('spin: spinning for 1000000 ms\n', 20_000, from); // running: ^C now has a target
    s.send('\x03');
    await s.waitFor('^C\nrun: spin (pid 2) exited with status -1\n', 20_000, from);
    expect(await s.command('selftest')).toMatch(/^SELFTEST ok$/m);
    expect(await s.finish('halt')).toBe(0);
  });

  it('gives back every page a process used', async () => {
    const s = boot(blankDisk('leak.img'));
    const free = async (): Promise<number> =>
      Number(/memory (\d+) KiB free/.exec(await s.command('uptime'))?.[1] ?? NaN);
    await s.command('bench mem 8'); // the shell keeps the page tables of its heap: warm them up
    const before = await free();
    for (const cmd of [
      'run crash',
      'run crash exec',
      'run crash badptr',
      'run spin pair',
      'bench mem 8',
      'bench cpu 1',
    ]) {
      await s.command(cmd);
    }
    expect(await free()).toBe(before);
    expect(await s.finish('halt')).toBe(0);
  });

  it('survives random garbage typed at the shell', async () => {
    const s = boot(blankDisk('fuzz.img'));
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const words = [
      'cat',
      'write',
      'rm',
      'hexdump',
      'secret',
      'bench',
      'run',
      'ls',
      '/',
      '..',
      'x',
      '-1',
      '0x',
    ];
    for (let i = 0; i < 60; i++) {
      const parts: string[] = [];
      for (let w = rand(6); w >= 0; w--) {
        if (rand(2)) parts.push(words[rand(words.length)] ?? '');
        else parts.push(String.fromCharCode(...Array.from({ length: 1 + rand(12) }, () => 1 + rand(254))));
      }
      const line = parts.join(' ').replace(/[\r\n]/g, ' ');
      // Keep lines that do not stop the machine or start a long benchmark.
      if (/^\s*(halt|reboot|bench)/.test(line)) continue;
      const out = await s.command(line);
      expect(out).not.toContain('PANIC');
    }
    expect(await s.command('selftest')).toMatch(/^SELFTEST ok$/m);
    expect(await s.finish('halt')).toBe(0);
  });

  it('prints the same transcript on every run, apart from the lines marked as timing-dependent', async () => {
    const script = [
      'help',
      'ls',
      'write t hello',
      'cat t',
      'hexdump t',
      'secret',
      'secret where',
      'selftest',
      'bench cpu 1',
      'bench exit 10',
      'uptime',
      'run crash',
      'rm t',
      'ls',
    ];
    const transcripts: string[] = [];
    for (const run of [1, 2]) {
      const s = boot(blankDisk(`determinism-${run}.img`));
      for (const cmd of script) await s.command(cmd);
      expect(await s.finish('halt')).toBe(0);
      transcripts.push(normalizeTranscript(s.output));
    }
    expect(transcripts[1]).toBe(transcripts[0]);
    expect(transcripts[0]).toContain('SECRET fingerprint <fp> counter <n> store disk');
  });

  it('reboots through SBI SRST and comes back with the key from the disk', async () => {
    const s = boot(blankDisk('reboot.img'));
    await s.command('secret');
    s.command('reboot').catch(() => undefined);
    await s.waitFor('secret: key loaded from /secret', 20_000, 0);
    expect(await s.finish('halt')).toBe(0);
  });
});
