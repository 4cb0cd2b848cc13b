// A small flattened device tree reader: blob in, node tree (the writer's FdtNode) out,
// plus lookups by path and typed property decoders. Every offset is bounds-checked, so a
// malformed blob gives a clear error, never a wrong tree or an out-of-range read.
// Implements Devicetree Specification v0.4, chapter 5 (versions 16 and 17 accepted).
import { FDT, type FdtNode, type FdtProperty, type FdtReservation } from './fdt-writer';

export interface ParsedFdt {
  readonly root: FdtNode;
  readonly version: number;
  readonly bootCpuid: number;
  readonly reservations: readonly FdtReservation[];
}

function fail(message: string): never {
  throw new Error(`fdt: ${message}`);
}

function cString(
  bytes: Uint8Array,
  start: number,
  end: number,
  what: string,
): { text: string; next: number } {
  let i = start;
  while (i < end && bytes[i] !== 0) i++;
  if (i >= end) fail(`unterminated ${what} at offset ${start}`);
  return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i)), next: i + 1 };
}

function readHeader(blob: Uint8Array): { view: DataView; h: number[] } {
  if (blob.length < FDT.HEADER_SIZE) fail(`blob is ${blob.length} bytes, shorter than the 40-byte header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const h = Array.from({ length: 10 }, (_, i) => view.getUint32(i * 4));
  if (h[0] !== FDT.MAGIC) fail(`bad magic 0x${(h[0] ?? 0).toString(16)} (expected 0xd00dfeed)`);
  const [
    ,
    total = 0,
    offStruct = 0,
    offStrings = 0,
    offRsv = 0,
    version = 0,
    lastComp = 0,
    ,
    sizeStrings = 0,
    sizeStruct = 0,
  ] = h;
  if (total > blob.length) fail(`totalsize ${total} exceeds the ${blob.length}-byte blob`);
  if (version < 16 || lastComp > FDT.VERSION)
    fail(`unsupported version ${version} (last compatible ${lastComp})`);
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total || offRsv >= total)
    fail('a block lies outside totalsize');
  if (offStruct % 4 !== 0 || offRsv % 8 !== 0) fail('misaligned structure or reservation block');
  return { view, h };
}

export function readFdt(blob: Uint8Array): ParsedFdt {
  const { view, h } = readHeader(blob);
  const [
    ,
    total = 0,
    offStruct = 0,
    offStrings = 0,
    offRsv = 0,
    version = 0,
    ,
    bootCpuid = 0,
    sizeStrings = 0,
    sizeStruct = 0,
  ] = h;
  const reservations: FdtReservation[] = [];
  for (let at = offRsv; ; at += 16) {
    if (at + 16 > total) fail('unterminated memory reservation block');
    const address = view.getBigUint64(at);
    const size = view.getBigUint64(at + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }
  const end = offStruct + sizeStruct;
  let pos = offStruct;
  const token = (): number => {
    if (pos + 4 > end) fail(`structure block ends inside a token at offset ${pos}`);
    const t = view.getUint32(pos);
    pos += 4;
    return t;
  };
  const stringAt = (off: number): string => {
    if (off >= sizeStrings) fail(`property name offset ${off} outside the strings block`);
    return cString(blob, offStrings + off, offStrings + sizeStrings, 'property name').text;
  };
  const parseNode = (depth: number): FdtNode => {
    if (depth > 64) fail('nodes nested deeper than 64 levels');
    const name = cString(blob, pos, end, 'node name');
    pos = (name.next + 3) & ~3;
    const props: FdtProperty[] = [];
    const children: FdtNode[] = [];
    for (;;) {
      const t = token();
      if (t === FDT.NOP) continue;
      if (t === FDT.END_NODE) return { name: name.text, props, children };
      if (t === FDT.BEGIN_NODE) {
        children.push(parseNode(depth + 1));
      } else if (t === FDT.PROP) {
        if (children.length > 0) fail(`property after a child node in "${name.text}"`);
        const len = token();
        const nameOff = token();
        if (pos + len > end) fail(`property value at offset ${pos} runs past the structure block`);
        props.push({ name: stringAt(nameOff), value: blob.slice(pos, pos + len) });
        pos = (pos + len + 3) & ~3;
      } else {
        fail(`unexpected token 0x${t.toString(16)} at offset ${pos - 4}`);
      }
    }
  };
  let first = token();
  while (first === FDT.NOP) first = token();
  if (first !== FDT.BEGIN_NODE) fail('structure block does not start with the root node');
  const root = parseNode(0);
  let last = token();
  while (last === FDT.NOP) last = token();
  if (last !== FDT.END) fail('missing FDT_END after the root node');
  return { root, version, bootCpuid, reservations };
}

/** Finds a node by absolute path ("/soc/plic@c000000"); a component without "@" also matches "name@any". */
export function findFdtNode(root: FdtNode, path: string): FdtNode | undefined {
  let node: FdtNode | undefined = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    const here: FdtNode = node;
    node =
      here.children.find((c) => c.name === part) ??
      (part.includes('@') ? undefined : here.children.find((c) => c.name.split('@')[0] === part));
    if (node === undefined) return undefined;
  }
  return node;
}

export function fdtProp(node: FdtNode, name: string): Uint8Array | undefined {
  return node.props.find((p) => p.name === name)?.value;
}

export function fdtPropU32s(node: FdtNode, name: string): number[] | undefined {
  const v = fdtProp(node, name);
  if (v === undefined) return undefined;
  if (v.length % 4 !== 0) fail(`property ${name} of ${node.name} is ${v.length} bytes, not whole cells`);
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => view.getUint32(i * 4));
}

export function fdtPropStrings(node: FdtNode, name: string): string[] | undefined {
  const v = fdtProp(node, name);
  if (v === undefined) return undefined;
  if (v.length === 0 || v[v.length - 1] !== 0)
    fail(`property ${name} of ${node.name} is not a NUL-terminated string list`);
  return new TextDecoder().decode(v.subarray(0, v.length - 1)).split('\0');
}

export function fdtPropString(node: FdtNode, name: string): string | undefined {
  return fdtPropStrings(node, name)?.[0];
}
