// The host as the UI sees it: connection state, what the host is (info), how it is doing
// (status), and the run controls. Controls update the shown state optimistically and roll back
// (with the host's own error message) if the host refuses, so buttons never lie for long.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { HostInfo, HostStatus, LabEvent, RunState } from '../../core/lab/protocol';

export type ConnectionPhase = 'connecting' | 'connected' | 'unauthorised' | 'unreachable' | 'lost';

export const DEFAULT_STEP = 1000;

export const useHostStore = defineStore('host', () => {
  let api: LabApi | null = null;
  let unsubscribe: (() => void) | null = null;

  const phase = ref<ConnectionPhase>('connecting');
  const phaseMessage = ref('Connecting to the lab host...');
  const mode = ref<'electron' | 'web' | null>(null);
  const info = shallowRef<HostInfo | null>(null);
  const status = shallowRef<HostStatus | null>(null);
  const pending = ref<null | 'start' | 'pause' | 'step' | 'reset'>(null);
  const lastError = ref<string | null>(null);

  const state = computed<RunState | 'unknown'>(() => status.value?.state ?? 'unknown');
  const connected = computed(() => phase.value === 'connected');
  const canStart = computed(
    () =>
      connected.value && pending.value === null && (state.value === 'paused' || state.value === 'stopped'),
  );
  const canPause = computed(() => connected.value && pending.value === null && state.value === 'running');
  const canStep = computed(
    () =>
      connected.value &&
      pending.value === null &&
      (state.value === 'paused' || state.value === 'stopped' || state.value === 'running'),
  );
  const canReset = computed(() => connected.value && pending.value === null);

  async function attach(lab: LabApi, transportMode: 'electron' | 'web'): Promise<void> {
    detach();
    api = lab;
    mode.value = transportMode;
    unsubscribe = lab.onEvents((events) => receive(events));
    try {
      const [hostInfo, hostStatus] = await Promise.all([
        lab.request('host.info', {}),
        lab.request('host.status', {}),
      ]);
      info.value = hostInfo;
      status.value = hostStatus;
      setPhase('connected', `Connected (${transportMode === 'electron' ? 'desktop app' : 'browser'})`);
    } catch (error) {
      setPhase('lost', `The lab host did not answer: ${messageOf(error)}`);
    }
  }

  function detach(): void {
    unsubscribe?.();
    unsubscribe = null;
    api = null;
  }

  function setPhase(next: ConnectionPhase, message: string): void {
    phase.value = next;
    phaseMessage.value = message;
  }

  function receive(events: readonly LabEvent[]): void {
    for (const event of events) {
      if (event.kind === 'status') status.value = event.status;
    }
  }

  /** Runs one control: shows `optimistic` at once, then the host's answer, or rolls back. */
  async function control(
    name: 'start' | 'pause' | 'step' | 'reset',
    optimistic: RunState,
    call: (lab: LabApi) => Promise<HostStatus>,
  ): Promise<boolean> {
    if (!api || pending.value !== null) return false;
    const before = status.value;
    pending.value = name;
    lastError.value = null;
    if (before) status.value = { ...before, state: optimistic };
    try {
      status.value = await call(api);
      return true;
    } catch (error) {
      status.value = before;
      lastError.value = `${name} failed: ${messageOf(error)}`;
      return false;
    } finally {
      pending.value = null;
    }
  }

  const start = (): Promise<boolean> => control('start', 'running', (lab) => lab.request('host.start', {}));
  const pause = (): Promise<boolean> => control('pause', 'paused', (lab) => lab.request('host.pause', {}));
  const reset = (): Promise<boolean> => control('reset', 'paused', (lab) => lab.request('host.reset', {}));
  const step = (instructions: number = DEFAULT_STEP): Promise<boolean> =>
    control('step', 'paused', (lab) => lab.request('host.step', { instructions }));

  return {
    phase,
    phaseMessage,
    mode,
    info,
    status,
    pending,
    lastError,
    state,
    connected,
    canStart,
    canPause,
    canStep,
    canReset,
    attach,
    detach,
    setPhase,
    start,
    pause,
    step,
    reset,
  };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
