// The inspectors over a real VmmHost with a booted labOS guest, bare and under CloudVisor: the
// secret page `secret where` names is read from every viewpoint (the guest's plaintext; on a bare
// host the VMM reads it too, under CloudVisor its frame is refused), the page tables and the
// vCPU views show what the VMM built and saw next to what the hart really uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestSession } from '../../../core/lab/host/guest-session';
import { VmmHost } from '../../../core/lab/host/vmm-host';
import { handleInspect, type InspectableHosts } from '../../../core/lab/inspect/inspect-requests';
import type { MemoryView } from '../../../core/lab/inspect/inspect-types';
import { GUEST_RAM_BASE } from '../../../core/lab/inspect/memory-view';
import { LabError } from '../../../core/lab/protocol';

const BUDGET = 400_000_000;

interface Booted {
  readonly hosts: InspectableHosts;
  readonly host: VmmHost;
  readonly dom: number;
  readonly va: number;
  readonly gpa: number;
}

async function boot(mode: 'bare' | 'protected'): Promise<Booted> {
  const host = await VmmHost.create({ seed: 'inspect-tests', mode });
  const session = new GuestSession(host);
  const dom = session.createGuest('vm1', 'labos', 32);
  expect(session.waitFor(dom, 'labos> ', BUDGET)).toBe(true);
  expect(session.type(dom, 'secret where', BUDGET)).toBe(true);
  const where = /SECRET where va 0x([0-9a-f]+) pa 0x([0-9a-f]+)/.exec(session.output(dom));
  if (!where?.[1] || !where[2]) throw new Error(`no secret line in:\n${session.output(dom)}`);
  return { hosts: new Map([[mode, host]]), host, dom, va: parseInt(where[1], 16), gpa: parseInt(where[2], 16) };
}

const bytesOf = (view: MemoryView | undefined): Buffer => Buffer.from(view?.bytes ?? '', 'base64');

function badRequest(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('bad-request');
    return (error as LabError).message;
  }
  throw new Error('expected a bad-request error');
}

describe.each(['bare', 'protected'] as const)('inspecting a %s host with a labOS guest', (mode) => {
  let booted: Booted;
  beforeAll(async () => {
    booted = await boot(mode);
  }, 240_000);
  afterAll(() => booted?.host.dispose());

  it('reports the mode, harts and the running domain', () => {
    const { hosts } = handleInspect(booted.hosts, 'inspect.hosts', {});
    const view = hosts[0];
    expect(view?.mode).toBe(mode);
    expect(view?.harts).toHaveLength(1);
    expect(view?.harts[0]?.lastDomain).toBe(booted.dom);
    expect(view?.domains.map((d) => [d.id, d.name])).toEqual([[booted.dom, 'vm1']]);
    expect(view?.monitor === null).toBe(mode === 'bare');
    if (mode === 'protected') expect(Object.keys(view?.monitor?.frames ?? {}).sort()).toEqual([`dom${booted.dom}`, 'monitor', 'vmm']);
  });

  it('shows the secret from every viewpoint: plaintext to the guest, refused to the VMM under CloudVisor', () => {
    const all = handleInspect(booted.hosts, 'inspect.viewpoints', { domain: booted.dom, address: booted.va, space: 'guest-virtual', length: 32 });
    expect(all.gpa).toBe(booted.gpa);
    expect(all.views.map((v) => v.viewpoint)).toEqual(['guest-virtual', 'guest-physical', 'host', 'vmm']);
    const [virt, phys, hostView, vmm] = all.views;
    const secret = bytesOf(virt);
    expect(secret.some((b) => b !== 0)).toBe(true);
    expect(bytesOf(phys)).toEqual(secret);
    expect(bytesOf(hostView)).toEqual(secret);
    expect(hostView?.spans[0]).toMatchObject({ access: 'ok', owner: mode === 'bare' ? `dom${booted.dom}` : `dom${booted.dom}` });
    if (mode === 'bare') {
      expect(vmm?.spans[0]?.access).toBe('ok');
      expect(bytesOf(vmm)).toEqual(secret);
    } else {
      expect(vmm?.spans[0]).toMatchObject({ access: 'refused', owner: `dom${booted.dom}` });
      expect(vmm?.spans[0]?.reason).toMatch(/EPT-x/);
      expect(bytesOf(vmm).every((b) => b === 0)).toBe(true);
    }
  });

  it('reads across pages with one span per kind of backing and finds bytes by search', () => {
    const page = booted.gpa - (booted.gpa % 4096);
    const view = handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'guest-physical', domain: booted.dom, address: page, length: 4096 });
    const secret = bytesOf(view).subarray(booted.gpa - page, booted.gpa - page + 16);
    const pattern = secret.toString('hex');
    const guest = handleInspect(booted.hosts, 'inspect.search', {
      viewpoint: 'guest-physical', domain: booted.dom, from: GUEST_RAM_BASE, length: 32 * 1024 * 1024, pattern,
    });
    expect(guest.address).toBe(booted.gpa);
    const ram = handleInspect(booted.hosts, 'inspect.hosts', {}).hosts[0];
    const asVmm = handleInspect(booted.hosts, 'inspect.search', {
      viewpoint: 'vmm', from: ram?.ramBase ?? 0, length: ram?.ramBytes ?? 0, pattern,
    });
    if (mode === 'bare') expect(asVmm.address).not.toBeNull();
    else expect(asVmm.address).toBeNull();
  });

  it('lists the G-stage next to the shadow and the guest\'s own VS-stage mapping of the secret', () => {
    const g = handleInspect(booted.hosts, 'inspect.page-tables', { domain: booted.dom, stage: 'g-stage', limit: 4096 });
    expect(g.stage).toBe('g-stage');
    expect(g.total).toBe(8192);
    const secretRow = g.stage === 'g-stage' ? g.rows.find((r) => r.gpa === booted.gpa - (booted.gpa % 4096)) : undefined;
    expect(secretRow?.status).toBe('same');
    if (mode === 'protected') expect(g.stage === 'g-stage' && g.hartHgatp !== g.vmmHgatp).toBe(true);
    const vs = handleInspect(booted.hosts, 'inspect.page-tables', { domain: booted.dom, stage: 'vs-stage', limit: 2048 });
    const rows = vs.stage === 'vs-stage' ? vs.rows : [];
    expect(rows.find((r) => r.va === booted.va)).toMatchObject({ gpa: booted.gpa - (booted.gpa % 4096), owner: `dom${booted.dom}` });
  });

  it('shows the real registers next to what the VMM saw', () => {
    const view = handleInspect(booted.hosts, 'inspect.vcpu', { domain: booted.dom });
    expect(view.registers.find((r) => r.name === 'pc')?.actual).toBeGreaterThan(0);
    const hidden = view.registers.filter((r) => r.seen !== r.actual);
    if (mode === 'bare') expect(hidden).toEqual([]);
    else expect(hidden.length).toBeGreaterThan(10);
    const hgatp = view.controls.find((c) => c.name === 'hgatp');
    expect(hgatp?.seen === hgatp?.actual).toBe(mode === 'bare');
  });

  it('answers bad addresses, domains and viewpoints with clear errors', () => {
    expect(badRequest(() => handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'guest-physical', domain: 99, address: 0, length: 16 })))
      .toMatch(/no domain 99 \(domains: 1\)/);
    expect(badRequest(() => handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'host', address: 0xffff_fff0, length: 64 })))
      .toMatch(/past the 32-bit address space/);
    expect(badRequest(() => handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'sideways', address: 0, length: 1 })))
      .toMatch(/viewpoint must be one of host, vmm, guest-physical, guest-virtual/);
    expect(badRequest(() => handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'guest-virtual', address: 0, length: 1 })))
      .toMatch(/needs a domain/);
    expect(badRequest(() => handleInspect(booted.hosts, 'inspect.search', { viewpoint: 'host', from: 0, length: 16, pattern: 'xyz' })))
      .toMatch(/hex bytes/);
    const outside = handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'host', address: 0x1000_0000, length: 16 });
    expect(outside.spans[0]).toMatchObject({ access: 'not-ram' });
    const unmapped = handleInspect(booted.hosts, 'inspect.memory', { viewpoint: 'guest-virtual', domain: booted.dom, address: 0, length: 16 });
    expect(unmapped.spans[0]?.access).toBe('unmapped');
  });
});
