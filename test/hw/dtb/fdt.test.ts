// FDT writer and reader against the Devicetree Specification v0.4 chapter 5: header fields,
// alignment, string dedup, round trip, and clear errors for malformed blobs and names.
import { describe, expect, it } from 'vitest';
import { FDT, FdtNodeBuilder, fdtValue as v, writeFdt } from '../../../core/hw/dtb/fdt-writer';
import {
  fdtPropString,
  fdtPropStrings,
  fdtPropU32s,
  findFdtNode,
  readFdt,
} from '../../../core/hw/dtb/fdt-reader';

function sample(): Uint8Array {
  const root = new FdtNodeBuilder('').prop('#address-cells', v.u32(2)).prop('model', v.string('m'));
  root
    .child('a@1')
    .prop('reg', v.u64(0x1_2345_6789, 0x10))
    .prop('compatible', v.strings('x,y', 'z'))
    .prop('flag', v.empty());
  root
    .child('b')
    .prop('model', v.string('odd'))
    .child('c')
    .prop('data', v.bytes(Uint8Array.of(1, 2, 3)));
  return writeFdt(root.build(), { bootCpuid: 3, reservations: [{ address: 0x8000_0000n, size: 0x1000n }] });
}

describe('FDT writer', () => {
  it('writes a v17 header with aligned blocks and deduplicated property names', () => {
    const blob = sample();
    const view = new DataView(blob.buffer);
    expect(view.getUint32(0)).toBe(FDT.MAGIC);
    expect(view.getUint32(4)).toBe(blob.length);
    expect(view.getUint32(20)).toBe(17);
    expect(view.getUint32(24)).toBe(16);
    expect(view.getUint32(28)).toBe(3);
    expect(view.getUint32(16) % 8).toBe(0);
    expect(view.getUint32(8) % 4).toBe(0);
    const strings = Buffer.from(
      blob.subarray(view.getUint32(12), view.getUint32(12) + view.getUint32(32)),
    ).toString('latin1');
    expect(strings.split('\0').filter((s) => s === 'model')).toHaveLength(1);
  });

  it('round-trips through the reader', () => {
    const fdt = readFdt(sample());
    expect(fdt.version).toBe(17);
    expect(fdt.bootCpuid).toBe(3);
    expect(fdt.reservations).toEqual([{ address: 0x8000_0000n, size: 0x1000n }]);
    const a = findFdtNode(fdt.root, '/a@1');
    expect(a).toBeDefined();
    expect(fdtPropU32s(a!, 'reg')).toEqual([1, 0x2345_6789, 0, 0x10]);
    expect(fdtPropStrings(a!, 'compatible')).toEqual(['x,y', 'z']);
    expect(fdtPropU32s(a!, 'flag')).toEqual([]);
    expect(findFdtNode(fdt.root, '/a')).toBe(a);
    expect(Array.from(findFdtNode(fdt.root, '/b/c')!.props[0]!.value)).toEqual([1, 2, 3]);
    expect(fdtPropString(findFdtNode(fdt.root, '/b')!, 'model')).toBe('odd');
  });

  it('refuses invalid and duplicate names and bad cells', () => {
    expect(() => writeFdt(new FdtNodeBuilder('').child('bad name').build())).toThrow(/invalid node name/);
    const dup = new FdtNodeBuilder('');
    dup.child('x');
    dup.child('x');
    expect(() => writeFdt(dup.build())).toThrow(/duplicate node "x"/);
    expect(() => writeFdt(new FdtNodeBuilder('').prop('p', v.empty()).prop('p', v.empty()).build())).toThrow(
      /duplicate property/,
    );
    expect(() => v.u32(-1)).toThrow(/not a u32/);
    expect(() => v.string('a\0b')).toThrow(/NUL/);
  });
});

describe('FDT reader on malformed blobs', () => {
  it('gives clear errors, never a partial tree', () => {
    const good = sample();
    expect(() => readFdt(good.subarray(0, 20))).toThrow(/shorter than the 40-byte header/);
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => readFdt(badMagic)).toThrow(/bad magic/);
    expect(() => readFdt(good.subarray(0, good.length - 8))).toThrow(/totalsize/);
    const badToken = good.slice();
    const offStruct = new DataView(good.buffer).getUint32(8);
    new DataView(badToken.buffer).setUint32(offStruct, 0x77);
    expect(() => readFdt(badToken)).toThrow(/does not start with the root node/);
    const shortStruct = good.slice();
    const sv = new DataView(shortStruct.buffer);
    sv.setUint32(36, sv.getUint32(36) - 8);
    expect(() => readFdt(shortStruct)).toThrow(/fdt:/);
    const badVersion = good.slice();
    new DataView(badVersion.buffer).setUint32(20, 3);
    expect(() => readFdt(badVersion)).toThrow(/unsupported version 3/);
  });
});

describe('FDT writer string encoding', () => {
  it('encodes strings as UTF-8 without TextEncoder, as node:buffer does', () => {
    const text = 'console=ttyS0 é € 𝄞';
    expect(Buffer.from(v.string(text)).equals(Buffer.concat([Buffer.from(text, 'utf8'), Buffer.of(0)]))).toBe(
      true,
    );
  });
});
