// Where the host disk's sectors live: a raw image file on the real file system, or memory
// (tests, scratch disks). Invariants: the size is a whole number of 512-byte sectors; every
// access is range-checked; a file problem is a DiskImageError naming the file and the cause,
// raised when the image is opened or, for I/O errors later, returned to the controller.
// Format: raw (sector n at byte offset 512 * n), as QEMU's `-drive format=raw`.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, statSync, writeSync } from 'node:fs';

export const SECTOR_SIZE = 512;

export class DiskImageError extends Error {
  override readonly name = 'DiskImageError';
}

export interface DiskBacking {
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** Human-readable origin, for logs ("file /x/disk.img", "memory"). */
  readonly description: string;
  read(sector: number, count: number): Uint8Array;
  write(sector: number, data: Uint8Array): void;
  flush(): void;
  close(): void;
}

function checkRange(backing: DiskBacking, sector: number, count: number): void {
  if (
    !Number.isInteger(sector) ||
    !Number.isInteger(count) ||
    sector < 0 ||
    count < 0 ||
    sector + count > backing.sectorCount
  ) {
    throw new DiskImageError(
      `${backing.description}: sectors ${sector}+${count} are outside the ${backing.sectorCount}-sector disk`,
    );
  }
}

function checkData(backing: DiskBacking, data: Uint8Array): number {
  if (data.length % SECTOR_SIZE !== 0)
    throw new DiskImageError(`${backing.description}: a write of ${data.length} bytes is not whole sectors`);
  if (backing.readOnly) throw new DiskImageError(`${backing.description}: the disk is read-only`);
  return data.length / SECTOR_SIZE;
}

export const MEMORY_DISK_STATE_VERSION = 1;

/** A memory disk's whole contents, for machine snapshots (a file disk's contents stay in its file). */
export interface MemoryDiskState {
  readonly version: number;
  readonly readOnly: boolean;
  readonly bytes: Uint8Array;
}

export class MemoryDiskBacking implements DiskBacking {
  readonly description = 'memory';
  readonly sectorCount: number;
  private readonly bytes: Uint8Array;

  /** A zeroed disk of `size` bytes, or a copy of `contents`. */
  constructor(
    sizeOrContents: number | Uint8Array,
    readonly readOnly = false,
  ) {
    const size = typeof sizeOrContents === 'number' ? sizeOrContents : sizeOrContents.length;
    if (!Number.isInteger(size) || size <= 0 || size % SECTOR_SIZE !== 0) {
      throw new DiskImageError(
        `memory disk: size ${size} is not a positive multiple of ${SECTOR_SIZE} bytes`,
      );
    }
    this.bytes = typeof sizeOrContents === 'number' ? new Uint8Array(size) : sizeOrContents.slice();
    this.sectorCount = size / SECTOR_SIZE;
  }

  read(sector: number, count: number): Uint8Array {
    checkRange(this, sector, count);
    return this.bytes.slice(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE);
  }

  write(sector: number, data: Uint8Array): void {
    const count = checkData(this, data);
    checkRange(this, sector, count);
    this.bytes.set(data, sector * SECTOR_SIZE);
  }

  /** A copy of the whole disk (for snapshots and tests). */
  contents(): Uint8Array {
    return this.bytes.slice();
  }

  flush(): void {}
  close(): void {}

  saveState(): MemoryDiskState {
    return { version: MEMORY_DISK_STATE_VERSION, readOnly: this.readOnly, bytes: this.bytes.slice() };
  }

  static loadState(state: MemoryDiskState): MemoryDiskBacking {
    if (state.version !== MEMORY_DISK_STATE_VERSION)
      throw new DiskImageError(
        `memory disk: state version ${String(state.version)} is not ${MEMORY_DISK_STATE_VERSION}`,
      );
    if (!(state.bytes instanceof Uint8Array))
      throw new DiskImageError('memory disk: state bytes must be a Uint8Array');
    return new MemoryDiskBacking(state.bytes, state.readOnly === true);
  }
}

export class FileDiskBacking implements DiskBacking {
  readonly description: string;
  private fd: number | undefined;

  private constructor(
    fd: number,
    path: string,
    readonly sectorCount: number,
    readonly readOnly: boolean,
  ) {
    this.fd = fd;
    this.description = `file ${path}`;
  }

  /** Opens a raw image; refuses missing, unreadable, non-regular, empty or partial-sector files. */
  static open(path: string, options: { readOnly?: boolean } = {}): FileDiskBacking {
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      // Checked before opening: opening a FIFO or a device could block or have side effects.
      if (!statSync(path).isFile()) throw new DiskImageError(`disk image ${path} is not a regular file`);
      fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (e) {
      if (e instanceof DiskImageError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EACCES' || code === 'EPERM'
            ? `cannot be opened ${readOnly ? 'for reading' : 'for reading and writing'} (permission denied)`
            : code === 'ENOTDIR'
              ? 'has a path component that is not a directory'
              : `cannot be opened (${code})`;
      throw new DiskImageError(`disk image ${path} ${why}`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new DiskImageError(`disk image ${path} is not a regular file`);
      if (st.size === 0 || st.size % SECTOR_SIZE !== 0) {
        throw new DiskImageError(
          `disk image ${path} is ${st.size} bytes, not a positive multiple of ${SECTOR_SIZE} (raw images hold whole sectors)`,
        );
      }
      return new FileDiskBacking(fd, path, st.size / SECTOR_SIZE, readOnly);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  private handle(): number {
    if (this.fd === undefined) throw new DiskImageError(`${this.description}: the image is closed`);
    return this.fd;
  }

  read(sector: number, count: number): Uint8Array {
    checkRange(this, sector, count);
    const out = new Uint8Array(count * SECTOR_SIZE);
    const got = this.io(() => readSync(this.handle(), out, 0, out.length, sector * SECTOR_SIZE), 'read');
    if (got !== out.length)
      throw new DiskImageError(
        `${this.description}: short read (${got} of ${out.length} bytes); was the file truncated?`,
      );
    return out;
  }

  write(sector: number, data: Uint8Array): void {
    const count = checkData(this, data);
    checkRange(this, sector, count);
    const put = this.io(() => writeSync(this.handle(), data, 0, data.length, sector * SECTOR_SIZE), 'write');
    if (put !== data.length)
      throw new DiskImageError(`${this.description}: short write (${put} of ${data.length} bytes)`);
  }

  flush(): void {
    this.io(() => fsyncSync(this.handle()), 'flush');
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private io<T>(op: () => T, what: string): T {
    try {
      return op();
    } catch (e) {
      if (e instanceof DiskImageError) throw e;
      throw new DiskImageError(
        `${this.description}: ${what} failed (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
  }
}
