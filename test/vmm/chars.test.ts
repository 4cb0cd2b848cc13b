import { describe, expect, it } from 'vitest';
import { isBareWord, isConfigKey, isDecimal, isHexLiteral, isName } from '../../core/vmm/chars';

describe('regex-free character checks', () => {
  it('names: alnum first, then alnum . _ -, bounded length', () => {
    expect(['a', 'labos.elf', 'vol_0-x', '9'].map((s) => isName(s, 32))).toEqual([true, true, true, true]);
    expect(['', '.a', 'a b', 'a/b', 'é', 'x'.repeat(33)].map((s) => isName(s, 32))).toEqual([false, false, false, false, false, false]);
  });

  it('numbers, keys and bare words', () => {
    expect([isDecimal('0123'), isDecimal(''), isDecimal('1a'), isHexLiteral('0x1F'), isHexLiteral('0x'), isHexLiteral('1x2')]).toEqual([true, false, false, true, false, false]);
    expect([isConfigKey('on_crash'), isConfigKey('Name'), isConfigKey('')]).toEqual([true, false, false]);
    expect([isBareWord('vol=a,size=1M'), isBareWord('a b'), isBareWord('"q"')]).toEqual([true, false, false]);
  });
});
