// A generic flattened device tree writer: an in-memory node tree in, an FDT v17 blob out.
// Invariants: node and property names follow the spec's character sets, names are unique
// among siblings, the blob is big-endian with 8-byte-aligned memory reservations.
// Implements Devicetree Specification v0.4, chapter 5 (Flattened Devicetree Format) and
// section 2.2.1/2.2.4 (node and property names). Pure (no node: or DOM globals such as
// TextEncoder): the VMM links it inside the sandbox engine to build guest device trees.

export const FDT = {
  MAGIC: 0xd00d_feed,
  VERSION: 17,
  LAST_COMP_VERSION: 16,
  HEADER_SIZE: 40,
  BEGIN_NODE: 0x1,
  END_NODE: 0x2,
  PROP: 0x3,
  NOP: 0x4,
  END: 0x9,
} as const;

export interface FdtNode {
  readonly name: string;
  readonly props: readonly FdtProperty[];
  readonly children: readonly FdtNode[];
}

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

export interface FdtReservation {
  readonly address: bigint;
  readonly size: bigint;
}

/** UTF-8 by hand, because the sandbox engine has no TextEncoder. */
function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x1_0000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** Property value encoders (spec 2.2.4.2: <u32>, <u64>, <string>, <stringlist>, <empty>). */
export const fdtValue = {
  empty(): Uint8Array {
    return new Uint8Array(0);
  },
  u32(...cells: number[]): Uint8Array {
    const out = new Uint8Array(cells.length * 4);
    const view = new DataView(out.buffer);
    cells.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c > 0xffff_ffff)
        throw new Error(`fdt: cell value ${c} is not a u32`);
      view.setUint32(i * 4, c);
    });
    return out;
  },
  /** A 64-bit number as two cells (used for reg with #address-cells = 2). */
  u64(...values: number[]): Uint8Array {
    return fdtValue.u32(...values.flatMap((v) => [Math.floor(v / 0x1_0000_0000), v % 0x1_0000_0000]));
  },
  string(text: string): Uint8Array {
    return fdtValue.strings(text);
  },
  strings(...texts: string[]): Uint8Array {
    const parts = texts.map((t) => {
      if (t.includes('\0')) throw new Error('fdt: strings cannot contain NUL');
      return utf8(t);
    });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length + 1;
    }
    return out;
  },
  bytes(data: Uint8Array): Uint8Array {
    return data.slice();
  },
} as const;

// Devicetree spec 2.2.1 / 2.2.4 character sets, checked without RegExp: the VMM links this file
// inside an engine that has no RegExp (a backtracking pattern could not be interrupted there).
const NAME_CHARS = ',._+-';
const PROP_EXTRA_CHARS = ',._+?#-';

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function allIn(text: string, extra: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!isAlnum(text.charCodeAt(i)) && !extra.includes(text.charAt(i))) return false;
  }
  return true;
}

/** node-name[@unit-address]: a 1..31 character name, and a non-empty unit address when '@' is present. */
function isNodeName(name: string): boolean {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  const unit = at < 0 ? null : name.slice(at + 1);
  if (base.length < 1 || base.length > 31 || !allIn(base, NAME_CHARS)) return false;
  return unit === null || (unit.length > 0 && allIn(unit, NAME_CHARS));
}

function isPropName(name: string): boolean {
  return name.length >= 1 && name.length <= 31 && allIn(name, PROP_EXTRA_CHARS);
}

function checkNode(node: FdtNode, path: string, isRoot: boolean): void {
  if (isRoot ? node.name !== '' : !isNodeName(node.name))
    throw new Error(`fdt: invalid node name "${node.name}" at ${path}`);
  const seenProps = new Set<string>();
  for (const p of node.props) {
    if (!isPropName(p.name)) throw new Error(`fdt: invalid property name "${p.name}" at ${path}`);
    if (seenProps.has(p.name)) throw new Error(`fdt: duplicate property "${p.name}" at ${path}`);
    seenProps.add(p.name);
  }
  const seenChildren = new Set<string>();
  for (const c of node.children) {
    if (seenChildren.has(c.name)) throw new Error(`fdt: duplicate node "${c.name}" under ${path}`);
    seenChildren.add(c.name);
    checkNode(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`, false);
  }
}

/** Growable big-endian byte buffer for the structure block. */
class ByteSink {
  private buf = new Uint8Array(4096);
  length = 0;
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length + 3);
    this.buf.set(b, this.length);
    this.length += b.length;
    this.align4();
  }
  private align4(): void {
    while (this.length % 4 !== 0) this.buf[this.length++] = 0;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Serialises a tree whose root has the empty name. */
export function writeFdt(
  root: FdtNode,
  options: { bootCpuid?: number; reservations?: readonly FdtReservation[] } = {},
): Uint8Array {
  checkNode(root, '/', true);
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    const known = stringOffsets.get(name);
    if (known !== undefined) return known;
    const at = strings.length;
    strings.push(...utf8(name), 0);
    stringOffsets.set(name, at);
    return at;
  };
  const struct = new ByteSink();
  const emit = (node: FdtNode): void => {
    struct.u32(FDT.BEGIN_NODE);
    struct.bytes(fdtValue.string(node.name));
    for (const p of node.props) {
      struct.u32(FDT.PROP);
      struct.u32(p.value.length);
      struct.u32(nameOffset(p.name));
      struct.bytes(p.value);
    }
    node.children.forEach(emit);
    struct.u32(FDT.END_NODE);
  };
  emit(root);
  struct.u32(FDT.END);
  const structBytes = struct.result();
  const reservations = options.reservations ?? [];
  const rsvSize = (reservations.length + 1) * 16;
  const offRsv = FDT.HEADER_SIZE; // already 8-byte aligned
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + structBytes.length;
  const total = offStrings + strings.length;
  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  const header = [
    FDT.MAGIC,
    total,
    offStruct,
    offStrings,
    offRsv,
    FDT.VERSION,
    FDT.LAST_COMP_VERSION,
    options.bootCpuid ?? 0,
    strings.length,
    structBytes.length,
  ];
  header.forEach((v, i) => view.setUint32(i * 4, v));
  reservations.forEach((r, i) => {
    view.setBigUint64(offRsv + i * 16, r.address);
    view.setBigUint64(offRsv + i * 16 + 8, r.size);
  });
  blob.set(structBytes, offStruct);
  blob.set(strings, offStrings);
  return blob;
}

/** Convenience builder so device-tree code reads like a .dts file. */
export class FdtNodeBuilder {
  private readonly propList: FdtProperty[] = [];
  private readonly childList: FdtNodeBuilder[] = [];
  constructor(readonly name: string) {}

  prop(name: string, value: Uint8Array): this {
    this.propList.push({ name, value });
    return this;
  }

  child(name: string): FdtNodeBuilder {
    const c = new FdtNodeBuilder(name);
    this.childList.push(c);
    return c;
  }

  build(): FdtNode {
    return { name: this.name, props: [...this.propList], children: this.childList.map((c) => c.build()) };
  }
}
