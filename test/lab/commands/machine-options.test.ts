import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/lab/cli-command';
import { machineConfigFrom } from '../../../core/lab/commands/machine-options';

describe('machine options', () => {
  it('runs two labOS guests, on the mode asked for or the command default', () => {
    expect(machineConfigFrom({})).toMatchObject({ kind: 'bare', mode: 'bare', harts: 2, guests: [{ image: 'labos' }, { image: 'labos' }] });
    expect(machineConfigFrom({}, 'both')).toMatchObject({ mode: 'both' });
    expect(machineConfigFrom({ mode: 'protected', harts: '1', guests: 'labos' }, 'both')).toMatchObject({ mode: 'protected', harts: 1, guests: [{ name: 'vm1' }] });
    expect(machineConfigFrom({ machine: 'demo' })).toEqual({ kind: 'demo' });
  });

  it('refuses what it cannot run, naming it', () => {
    expect(() => machineConfigFrom({ mode: 'nested' })).toThrow(UsageError);
    expect(() => machineConfigFrom({ mode: 'nested' })).toThrow(/--mode must be bare, protected or both, not 'nested'/);
    expect(() => machineConfigFrom({ guests: 'linux' })).toThrow(/unknown guest image 'linux'/);
    expect(() => machineConfigFrom({ harts: '9' })).toThrow(/--harts must be 1 to 8/);
    expect(() => machineConfigFrom({ machine: 'cloud' })).toThrow(/--machine must be bare or demo/);
  });
});
