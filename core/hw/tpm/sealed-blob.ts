// The sealed data object's wire format: a header naming the PCR selection and the PolicyPCR
// digest it is bound to, then AES-256-GCM ciphertext under the TPM's storage key with the
// header as additional authenticated data, so neither the policy nor the data can be changed.
// Layout (docs/hw/tpm.md): "CVLS" | version u8 | selection bitmap u32 | policy 32 | IV 12 | tag 16 | data.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DIGEST_SIZE, PCR_COUNT } from './tpm-constants';

const MAGIC = [0x43, 0x56, 0x4c, 0x53]; // "CVLS"
const VERSION = 1;
const HEADER = 4 + 1 + 4 + DIGEST_SIZE;
const IV = 12;
const TAG = 16;

export interface SealedHeader {
  /** The selected PCR indices, ascending. */
  readonly pcrs: readonly number[];
  readonly policy: Uint8Array;
}

export function sealBlob(
  storageKey: Uint8Array,
  iv: Uint8Array,
  pcrs: readonly number[],
  policy: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const header = new Uint8Array(HEADER);
  const view = new DataView(header.buffer);
  header.set(MAGIC, 0);
  view.setUint8(4, VERSION);
  view.setUint32(5, pcrs.reduce((m, i) => m | (1 << i), 0) >>> 0);
  header.set(policy, 9);
  const cipher = createCipheriv('aes-256-gcm', storageKey, iv).setAAD(header);
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), body]));
}

/** The header of a blob, or a reason it is not one of ours. */
export function readSealedHeader(blob: Uint8Array): SealedHeader | string {
  if (blob.length < HEADER + IV + TAG || MAGIC.some((b, i) => blob[i] !== b) || blob[4] !== VERSION) {
    return 'not a sealed blob of this TPM (bad magic, version or length)';
  }
  const mask = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(5);
  if (mask >>> PCR_COUNT !== 0) return 'sealed blob selects PCRs beyond 23';
  const pcrs = Array.from({ length: PCR_COUNT }, (_, i) => i).filter((i) => (mask >>> i) & 1);
  return { pcrs, policy: blob.slice(9, HEADER) };
}

/** The sealed data, or null if the blob was tampered with or sealed under another key. */
export function openSealedBlob(storageKey: Uint8Array, blob: Uint8Array): Uint8Array | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', storageKey, blob.subarray(HEADER, HEADER + IV));
    decipher.setAAD(blob.subarray(0, HEADER)).setAuthTag(blob.subarray(HEADER + IV, HEADER + IV + TAG));
    return new Uint8Array(
      Buffer.concat([decipher.update(blob.subarray(HEADER + IV + TAG)), decipher.final()]),
    );
  } catch {
    return null;
  }
}
