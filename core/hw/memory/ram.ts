// Guest RAM: one ArrayBuffer with typed views at fixed offsets, so the hart's hot loop reads
// and writes it with a single index computation. Little-endian hosts only (checked once).
// Invariant: base and size are 4 KiB aligned; views never change after construction.

const PAGE = 4096;

export class Ram {
  readonly base: number;
  readonly size: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** One byte per page: non-zero when some hart holds decoded instructions for that page. */
  readonly codePages: Uint8Array;

  constructor(base: number, size: number) {
    if (!Number.isInteger(base) || base < 0 || base % PAGE !== 0)
      throw new RangeError(`RAM base ${base} must be a page-aligned address`);
    if (!Number.isInteger(size) || size <= 0 || size % PAGE !== 0)
      throw new RangeError(`RAM size ${size} must be a positive multiple of 4096`);
    if (base + size > 0x1_0000_0000) throw new RangeError('RAM must end at or below 4 GiB');
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
      throw new Error('the emulator needs a little-endian host');
    this.base = base;
    this.size = size;
    this.buffer = new ArrayBuffer(size);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.codePages = new Uint8Array(size / PAGE);
  }

  /** True when [pa, pa+length) lies inside RAM. */
  contains(pa: number, length: number): boolean {
    return pa >= this.base && length >= 0 && pa + length <= this.base + this.size;
  }
}
