import { describe, expect, it } from 'vitest';
import { parseDiskSpec, parseSize, parseXlText, toDomainConfig } from '../../core/vmm/xl-config';

describe('xl.cfg parsing', () => {
  it('reads strings, numbers, lists and comments, with command-line overrides last', () => {
    const v = parseXlText('name = "g" # comment\nmemory = 0x20\ndisk = [ "vol=a,size=1M", \'vol=b,access=ro\' ]\n\n', ['vcpus=2']);
    const c = toDomainConfig(new Map([...v, ['kernel', 'k.elf']]));
    expect(c).toEqual({
      name: 'g', kernel: 'k.elf', memoryBytes: 32 << 20, vcpus: 2, rng: false, populate: 'eager', bootargs: null,
      disks: [{ vol: 'a', sectors: 2048, readOnly: false, image: null }, { vol: 'b', sectors: null, readOnly: true, image: null }],
    });
  });

  it('rejects malformed lines and values with the line number', () => {
    expect(() => parseXlText('name "x"', [])).toThrow(/line 1: expected 'key = value'/);
    expect(() => parseXlText('a = [ "x"', [])).toThrow(/line 1 \(a\): list is not closed/);
    expect(() => parseXlText('\nname = "x', [])).toThrow(/line 2 \(name\): unterminated string/);
    expect(() => parseXlText('Name = 1', [])).toThrow(/bad key 'Name'/);
  });

  it('validates disks, sizes and device counts', () => {
    expect(parseSize('64K', 'x')).toBe(65536);
    expect(() => parseSize('1T', 'x')).toThrow(/not N, NK, NM or NG/);
    expect(() => parseDiskSpec('size=1M')).toThrow(/vol=NAME is required/);
    expect(() => parseDiskSpec('vol=a,size=100')).toThrow(/multiple of 512/);
    expect(() => parseDiskSpec('vol=a,access=wo')).toThrow(/rw or ro/);
    const nine = Array.from({ length: 9 }, (_, i) => `"vol=v${i},size=1M"`).join(',');
    expect(() => toDomainConfig(parseXlText(`name="a"\nkernel="k"\ndisk=[${nine}]`, []))).toThrow(/at most 8 virtio devices/);
    expect(() => toDomainConfig(parseXlText('name="a"\nkernel="k"\ndisk=["vol=x,size=1M","vol=x,size=1M"]', []))).toThrow(/listed twice/);
    expect(() => toDomainConfig(parseXlText('name="a"\nkernel="k"\npopulate="later"', []))).toThrow(/eager" or "lazy/);
  });
});
