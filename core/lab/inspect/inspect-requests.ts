// The inspectors behind the lab protocol: checks each request's parameters (they come from a
// renderer or a browser: `unknown` until checked), picks the named host of the machine, and
// answers from a fresh InspectContext. A bad address, domain or host is a clear 'bad-request'.
import type { VmmHost } from '../host/vmm-host';
import { LabError, type LabMethods } from '../protocol';
import { diskView } from './disk-view';
import { everyViewpoint } from './every-viewpoint';
import { hostView } from './host-view';
import { InspectContext, type ConsoleResolver } from './inspect-context';
import { VIEWPOINTS, type Viewpoint } from './inspect-types';
import { readMemory, readTarget } from './memory-view';
import { MAX_ROWS, gStageView, vsStageView } from './page-table-view';
import { parsePattern, searchMemory } from './search-memory';
import { vcpuView } from './vcpu-view';

/** The hosts a machine lets the lab inspect, by name ('bare', 'protected'): Machine.vmmHosts. */
export type InspectableHosts = ReadonlyMap<string, VmmHost>;

export const INSPECT_METHODS = [
  'inspect.hosts',
  'inspect.memory',
  'inspect.viewpoints',
  'inspect.search',
  'inspect.page-tables',
  'inspect.vcpu',
  'inspect.disk',
] as const;

export type InspectMethod = (typeof INSPECT_METHODS)[number];

export function isInspectMethod(method: string): method is InspectMethod {
  return (INSPECT_METHODS as readonly string[]).includes(method);
}

type Params = Record<string, unknown>;

export function handleInspect<M extends InspectMethod>(
  inspector: InspectableHosts | undefined,
  method: M,
  raw: unknown,
  consoles?: ConsoleResolver,
): LabMethods[M]['result'] {
  if (!inspector) throw new LabError('bad-request', 'this machine has no emulated host to inspect (the demo source)');
  const p: Params = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Params) : {};
  return answer(inspector, method, p, consoles) as LabMethods[M]['result'];
}

function answer(inspector: InspectableHosts, method: InspectMethod, p: Params, consoles?: ConsoleResolver): unknown {
  if (method === 'inspect.hosts') {
    return { hosts: [...inspector].map(([name, host]) => hostView(new InspectContext(name, host, consoles))) };
  }
  const ctx = contextFor(inspector, p.host);
  switch (method) {
    case 'inspect.memory': {
      const viewpoint = viewpointOf(p.viewpoint);
      return readMemory(ctx, readTarget(ctx, viewpoint, optionalInt(p.domain, 'domain')), int(p.address, 'address'), int(p.length, 'length'));
    }
    case 'inspect.viewpoints': {
      const space = p.space === 'guest-physical' ? 'guest-physical' : p.space === 'guest-virtual' || p.space === undefined ? 'guest-virtual' : null;
      if (space === null) throw new LabError('bad-request', "space must be 'guest-virtual' or 'guest-physical'");
      return everyViewpoint(ctx, int(p.domain, 'domain'), space, int(p.address, 'address'), int(p.length, 'length'));
    }
    case 'inspect.search': {
      if (typeof p.pattern !== 'string') throw new LabError('bad-request', 'search needs a pattern of hex bytes');
      const target = readTarget(ctx, viewpointOf(p.viewpoint), optionalInt(p.domain, 'domain'));
      return searchMemory(ctx, target, int(p.from, 'from'), int(p.length, 'length'), parsePattern(p.pattern));
    }
    case 'inspect.page-tables': {
      const window = {
        offset: optionalInt(p.offset, 'offset') ?? 0,
        limit: Math.min(optionalInt(p.limit, 'limit') ?? 256, MAX_ROWS),
        flaggedOnly: p.flaggedOnly === true,
      };
      if (p.stage !== 'g-stage' && p.stage !== 'vs-stage') throw new LabError('bad-request', "stage must be 'g-stage' or 'vs-stage'");
      const domain = int(p.domain, 'domain');
      return p.stage === 'g-stage' ? gStageView(ctx, domain, window) : vsStageView(ctx, domain, window);
    }
    case 'inspect.vcpu':
      return vcpuView(ctx, int(p.domain, 'domain'), optionalInt(p.index, 'index') ?? 0);
    case 'inspect.disk':
      return diskView(ctx, int(p.domain, 'domain'), {
        disk: optionalInt(p.disk, 'disk') ?? 0,
        sector: int(p.sector, 'sector'),
        count: int(p.count, 'count'),
      });
  }
}

function contextFor(inspector: InspectableHosts, name: unknown): InspectContext {
  const hosts = [...inspector];
  const only = hosts.length === 1 ? hosts[0] : undefined;
  if (name === undefined && only) return new InspectContext(only[0], only[1]);
  const found = typeof name === 'string' ? inspector.get(name) : undefined;
  if (!found || typeof name !== 'string') {
    const known = hosts.map(([n]) => n).join(', ');
    throw new LabError('bad-request', `no host ${JSON.stringify(name ?? null)} to inspect (hosts: ${known})`);
  }
  return new InspectContext(name, found);
}

function viewpointOf(value: unknown): Viewpoint {
  if (typeof value === 'string' && (VIEWPOINTS as readonly string[]).includes(value)) return value as Viewpoint;
  throw new LabError('bad-request', `viewpoint must be one of ${VIEWPOINTS.join(', ')}, not ${JSON.stringify(value)}`);
}

function int(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new LabError('bad-request', `${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalInt(value: unknown, name: string): number | undefined {
  return value === undefined ? undefined : int(value, name);
}
