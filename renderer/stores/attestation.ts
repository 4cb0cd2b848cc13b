// Attestation as a remote verifier does it: the UI picks a fresh random nonce, asks a host's TPM
// for a quote over its PCRs, and shows the host's verifyQuote verdict next to the PCR values and
// the values a verifier expects. One report per host, so bare and protected can be compared.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { LabApi } from '../../core/lab/lab-api';
import type { AttestationReport, HostMode } from '../../core/lab/protocol';

function freshNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const useAttestationStore = defineStore('attestation', () => {
  let api: LabApi | null = null;
  const hosts = ref<readonly HostMode[]>([]);
  const reports = shallowRef<Partial<Record<HostMode, AttestationReport>>>({});
  const busy = ref<HostMode | null>(null);
  const error = ref<string | null>(null);

  function attach(lab: LabApi): () => void {
    api = lab;
    void lab.request('patch.list', {}).then(
      (list) => (hosts.value = list.hosts),
      (e: unknown) => (error.value = `The host did not say which hosts it runs: ${messageOf(e)}`),
    );
    return () => {
      if (api === lab) api = null;
    };
  }

  async function quote(host: HostMode): Promise<void> {
    if (!api || busy.value) return;
    busy.value = host;
    error.value = null;
    try {
      const report = await api.request('attestation.quote', { host, nonce: freshNonce() });
      reports.value = { ...reports.value, [host]: report };
    } catch (e) {
      error.value = `Quoting the ${host} host failed: ${messageOf(e)}`;
    } finally {
      busy.value = null;
    }
  }

  return { hosts, reports, busy, error, attach, quote };
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
