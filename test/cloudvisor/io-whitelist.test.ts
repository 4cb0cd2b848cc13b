import { describe, expect, it } from 'vitest';
import { IoWhitelist } from '../../core/cloudvisor/io-whitelist';

describe('IoWhitelist', () => {
  it('allows only whole accesses inside a granted range with the granted direction', () => {
    const list = new IoWhitelist();
    list.grant(1, 'req0', [{ gpa: 0x1000, len: 16, load: true, store: false }, { gpa: 0x2000, len: 512, load: false, store: true }]);
    expect(list.allows(1, 0x1000, 16, 'load')).toBe('req0');
    expect(list.allows(1, 0x1000, 17, 'load')).toBeNull();
    expect(list.allows(1, 0x0fff, 2, 'load')).toBeNull();
    expect(list.allows(1, 0x1000, 4, 'store')).toBeNull();
    expect(list.allows(1, 0x2100, 4, 'store')).toBe('req0');
    expect(list.allows(1, 0x2100, 4, 'load')).toBeNull();
    expect(list.allows(2, 0x1000, 4, 'load')).toBeNull();
  });

  it('revokes by key and by prefix', () => {
    const list = new IoWhitelist();
    list.grant(1, 'virtio@1000/q0/req3', [{ gpa: 0, len: 8, load: true, store: true }]);
    list.grant(1, 'virtio@1000/q0/rings', [{ gpa: 64, len: 8, load: true, store: false }]);
    list.grant(1, 'sbi-dbcn/vcpu0', [{ gpa: 128, len: 8, load: true, store: false }]);
    expect(list.revoke(1, 'virtio@1000/q0/req3')).toBe(true);
    expect(list.allows(1, 0, 8, 'load')).toBeNull();
    list.revokePrefix(1, 'virtio@1000/');
    expect([...list.list(1).keys()]).toEqual(['sbi-dbcn/vcpu0']);
    list.revokePrefix(1);
    expect(list.list(1).size).toBe(0);
  });
});
