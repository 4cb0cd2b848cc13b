// Drives labfw + labOS on QEMU (the reference machine) through the serial console: boots
// `qemu-system-riscv32 -M virt` with -bios none and the committed image, optionally with a
// virtio-blk (mmio version 2) disk, and runs shell commands one prompt at a time. Every run is
// bounded by `timeout` and by per-wait deadlines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GUESTS_DIR = fileURLToPath(new URL('../../assets/guests/', import.meta.url));
export const FIRMWARE_IMAGE = `${GUESTS_DIR}images/labfw-labos.elf`;
export const PROMPT = 'labos> ';

export interface QemuOptions {
  readonly disk?: string | undefined;
  readonly smp?: number | undefined;
  readonly memMiB?: number | undefined;
  /** Adds a virtio-rng device (a second entropy source for the secret). */
  readonly rng?: boolean | undefined;
  /** Attach the disk read-only (virtio-blk then offers VIRTIO_BLK_F_RO). */
  readonly diskReadOnly?: boolean | undefined;
  /** A device tree to pass instead of QEMU's own (-dtb). */
  readonly dtb?: string | undefined;
}

export class QemuSession {
  private out = '';
  private cursor = 0;
  private exitCode: number | null | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    const onData = (d: Buffer): void => {
      this.out += d.toString('latin1').replace(/\r/g, ''); // the guest ends lines with \r\n; chunks may split them
      for (const w of [...this.waiters]) w();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      this.exitCode = code;
      for (const w of [...this.waiters]) w();
    });
  }

  static start(opts: QemuOptions = {}): QemuSession {
    const args = [
      '60',
      'qemu-system-riscv32',
      '-M',
      'virt',
      '-cpu',
      'rv32,c=false,f=false,d=false,v=false,h=true',
      '-m',
      `${opts.memMiB ?? 64}M`,
      '-smp',
      String(opts.smp ?? 1),
      '-bios',
      'none',
      '-kernel',
      FIRMWARE_IMAGE,
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'stdio',
    ];
    if (opts.disk !== undefined || opts.rng === true) args.push('-global', 'virtio-mmio.force-legacy=false');
    if (opts.rng === true) args.push('-device', 'virtio-rng-device');
    if (opts.dtb !== undefined) args.push('-dtb', opts.dtb);
    if (opts.disk !== undefined) {
      args.push(
        '-drive',
        `file=${opts.disk},if=none,format=raw,id=hd0${opts.diskReadOnly === true ? ',readonly=on' : ''}`,
        '-device',
        'virtio-blk-device,drive=hd0',
      );
    }
    return new QemuSession(spawn('timeout', args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Everything the console printed so far, without carriage returns. */
  get output(): string {
    return this.out;
  }

  /** Waits until `text` appears at or after `from`; returns its index. */
  waitFor(text: string, timeoutMs = 20_000, from = this.cursor): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const i = this.out.indexOf(text, from);
        if (i >= 0) return done(() => resolve(i));
        if (this.exitCode !== undefined)
          return done(() =>
            reject(new Error(`QEMU exited (${String(this.exitCode)}) before "${text}":\n${this.out}`)),
          );
        return false;
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for "${text}":\n${this.out}`))),
        timeoutMs,
      );
      const done = (f: () => void): true => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        f();
        return true;
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  /** Waits for the prompt, types `cmd`, and returns what was printed up to the next prompt
   *  (the echoed command line excluded). */
  async command(cmd: string, timeoutMs = 20_000): Promise<string> {
    const p = await this.waitFor(PROMPT, timeoutMs);
    this.cursor = p + PROMPT.length;
    this.child.stdin?.write(`${cmd}\n`);
    const echoEnd = await this.waitFor('\n', timeoutMs);
    const next = await this.waitFor(PROMPT, timeoutMs, echoEnd + 1);
    const text = this.out.slice(echoEnd + 1, next);
    this.cursor = next;
    return text;
  }

  /** Types raw bytes (for control characters) without waiting; the next command() waits for
   *  a prompt printed after this point. */
  send(text: string): void {
    this.cursor = this.out.length;
    this.child.stdin?.write(text);
  }

  /** Types a command that ends the machine (halt) and waits for QEMU to exit. */
  async finish(cmd: string, timeoutMs = 20_000): Promise<number | null> {
    const p = await this.waitFor(PROMPT, timeoutMs);
    this.cursor = p + PROMPT.length;
    this.child.stdin?.write(`${cmd}\n`);
    return this.exited(timeoutMs);
  }

  exited(timeoutMs = 20_000): Promise<number | null> {
    return new Promise((resolve, reject) => {
      if (this.exitCode !== undefined) return resolve(this.exitCode);
      const timer = setTimeout(() => reject(new Error(`QEMU did not exit:\n${this.out}`)), timeoutMs);
      const waiter = (): void => {
        if (this.exitCode === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(this.exitCode);
      };
      this.waiters.add(waiter);
    });
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill('SIGTERM'); // timeout(1) passes it on to QEMU;
  }
}
