// The inspectors' shared state: the hosts as the lab reports them (harts, domains, mode), which
// host and domain the inspectors look at, and where `secret where` said the guest's secret lives.
// Every answer comes from the host (inspect.* requests); nothing here computes memory contents.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HostView, Viewpoint } from '../../core/lab/inspect/inspect-types';
import type { LabApi } from '../../core/lab/lab-api';
import type { LabMethod, LabParams, LabResult } from '../../core/lab/protocol';
import { useConsolesStore } from './consoles';
import { useLayoutStore } from './layout';

export interface SecretLocation {
  readonly va: number;
  readonly pa: number;
  readonly length: number;
}

const SECRET_LINE = /SECRET where va 0x([0-9a-f]+) pa 0x([0-9a-f]+) len (\d+)/g;

/** The last `secret where` line in a console's text. */
export function parseSecretWhere(text: string): SecretLocation | null {
  let found: SecretLocation | null = null;
  for (const m of text.matchAll(SECRET_LINE)) {
    found = { va: parseInt(m[1] ?? '0', 16), pa: parseInt(m[2] ?? '0', 16), length: Number(m[3]) };
  }
  return found;
}

/** base64 from the host -> bytes. */
export function decodeBytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export const hex32 = (n: number): string => n.toString(16).padStart(8, '0');

/** An address another panel asked the memory inspector to show. */
export interface MemoryTarget {
  readonly viewpoint: Viewpoint;
  readonly address: number;
  readonly length: number;
}

export const MEMORY_TAB = 'inspect:memory';

export const useInspectStore = defineStore('inspect', () => {
  let api: LabApi | null = null;
  const hosts = shallowRef<readonly HostView[]>([]);
  const hostName = ref<string | null>(null);
  const domainId = ref<number | null>(null);
  const error = ref<string | null>(null);
  const available = ref(false);
  let refreshing: Promise<void> | null = null;
  const memoryTarget = ref<MemoryTarget | null>(null);

  const host = computed(() => hosts.value.find((h) => h.name === hostName.value) ?? hosts.value[0] ?? null);
  const domain = computed(
    () => host.value?.domains.find((d) => d.id === domainId.value) ?? host.value?.domains[0] ?? null,
  );

  function attach(lab: LabApi): () => void {
    api = lab;
    void refresh();
    return () => {
      if (api === lab) api = null;
    };
  }

  async function request<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
    if (!api) throw new Error('not connected to the lab host');
    return api.request(method, params);
  }

  /** Fetches the hosts' facts; concurrent callers share one request. */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const answer = await request('inspect.hosts', {});
        hosts.value = answer.hosts;
        available.value = true;
        error.value = null;
      } catch (e) {
        available.value = false;
        error.value = e instanceof Error ? e.message : String(e);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  function select(name: string | null, domainChoice: number | null = domainId.value): void {
    hostName.value = name;
    domainId.value = domainChoice;
  }

  /** The console of a domain: 'dom1', or 'protected:dom1' when hosts run side by side. */
  /** The console a domain prints on, as the host names it (its guest slot, kept across resets). */
  function consoleOf(name: string, domain: number): string {
    const named = hosts.value.find((h) => h.name === name)?.domains.find((d) => d.id === domain)?.console;
    if (named) return named;
    return hosts.value.length > 1 ? `${name}:dom${domain}` : `dom${domain}`;
  }

  /** Where the selected domain's secret is, from its console's last `secret where` line. */
  function secretOfSelected(): SecretLocation | null {
    if (!host.value || !domain.value) return null;
    return parseSecretWhere(useConsolesStore().scrollbackOf(consoleOf(host.value.name, domain.value.id)));
  }

  /** Shows `address` of the selected host and domain in the memory inspector (page tables, vCPU). */
  function openInMemory(viewpoint: Viewpoint, address: number, length = 1): void {
    memoryTarget.value = { viewpoint, address, length };
    useLayoutStore().activeTab = MEMORY_TAB;
  }

  return {
    hosts,
    hostName,
    domainId,
    host,
    domain,
    error,
    available,
    memoryTarget,
    attach,
    request,
    refresh,
    select,
    consoleOf,
    secretOfSelected,
    openInMemory,
  };
});
