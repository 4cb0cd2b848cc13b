// The host side of the engine boundary: one raw dispatch function (op number, four numbers, one byte
// buffer, one string) that decodes arguments straight from the engine's heap, validates them, calls
// the injected HypBackend and encodes the result as a number or a copied ArrayBuffer. It bypasses
// the library's per-call handle wrappers (the measured 60% of a crossing). Invariants: every value
// crosses by copy; bad input becomes a HypError thrown inside the engine, never a host exception.
import type { QuickJSContext } from 'quickjs-emscripten';
import type {
  DiskCompletion, DiskRequest, Exit, GuestControls, GuestRegs, Hyp, LabChannel, MemoryAccess, TpmQuote, VcpuId,
} from './hyp';
import {
  ACCESS_CODE, ARG_BYTES, ARG_TEXT, CONTROL_NAMES, DISK_STATUS_CODE, EXIT_KIND_CODE, EXIT_RECORD_LENGTH,
  GUEST_REG_NAMES, MAX_BULK_BYTES, OP, PA_LIMIT, type OpName,
} from './hyp-ops';
import type { LowLevelContext } from './quickjs-loader';

/**
 * The hypervisor implementation the engine is given: bare mode (hardware) and protected mode (the
 * monitor) each provide one. Same shape as `Hyp`, except that register changes arrive normalised
 * to architectural names and the one-register convenience form is the binding's business.
 */
export interface HypBackend extends Omit<Hyp, 'vcpu'> {
  readonly vcpu: Omit<Hyp['vcpu'], 'setReg' | 'setRegs'> & {
    setRegs(id: VcpuId, changes: Partial<GuestRegs>): void;
    /**
     * Optional fast form of `regs` for the virtual VMCS: writes the same values into `out` in
     * GUEST_REG_NAMES order, without building an object.
     */
    regsRecord?(id: VcpuId, out: Float64Array): void;
  };
}

/** Thrown by a backend for a refused access; the VMM sees an access fault (`HypFault`). */
export class HypFault extends Error {
  override readonly name = 'HypFault';
  constructor(readonly pa: number, readonly access: MemoryAccess, reason: string) {
    super(`${access} access fault at ${hex(pa)}: ${reason}`);
  }
}

/** Bad arguments from the engine: becomes a `HypError` inside the engine. */
export class HypCallError extends Error {
  override readonly name = 'HypError';
}

/** A patch fault reported from inside the engine (before stack mapping). */
export interface RawPatchFault {
  readonly patchId: number;
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

export interface BindingSinks {
  readonly lab: LabChannel;
  patchFault(fault: RawPatchFault): void;
}

type HostResult = number | undefined | void | Uint8Array | Float64Array;

/** Arguments of one call; numbers are read eagerly, bytes and text only by the ops that take them. */
export interface CallArgs {
  readonly n1: number;
  readonly n2: number;
  readonly n3: number;
  readonly n4: number;
  bytes(what: string): Uint8Array;
  text(what: string): string;
}

type Handler = (b: HypBackend, a: CallArgs, sinks: BindingSinks) => HostResult;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function u32(x: number, what: string): number {
  if (!Number.isInteger(x) || x < -0x8000_0000 || x > 0xffff_ffff) {
    throw new HypCallError(`${what} must be a 32-bit integer, got ${String(x)}`);
  }
  return x >>> 0;
}

function uint(x: number, limit: number, what: string): number {
  if (!Number.isInteger(x) || x < 0 || x >= limit) {
    throw new HypCallError(`${what} must be an integer in [0, ${limit}), got ${String(x)}`);
  }
  return x;
}

const pa = (x: number): number => uint(x, PA_LIMIT, 'physical address');
const id = (x: number): number => uint(x, 0x1_0000_0000, 'vCPU id');
const optional = (x: number, what: string): number | undefined => (Number.isNaN(x) ? undefined : u32(x, what));

function pairs(bytes: Uint8Array, names: readonly string[], what: string): Record<string, number> {
  if (bytes.length % 16 !== 0) throw new HypCallError(`${what}: malformed change record`);
  const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  const out: Record<string, number> = {};
  for (let i = 0; i < values.length; i += 2) {
    const name = names[uint(values[i] ?? NaN, names.length, `${what} index`)] ?? '';
    out[name] = values[i + 1] ?? NaN;
  }
  return out;
}

// Scratch records: each is copied into the engine before the next call can reuse it.
const regsScratch = new Float64Array(GUEST_REG_NAMES.length);
const controlsScratch = new Float64Array(CONTROL_NAMES.length);

function regsRecord(regs: GuestRegs): Float64Array {
  for (let i = 0; i < GUEST_REG_NAMES.length; i++) regsScratch[i] = regs[GUEST_REG_NAMES[i] ?? 'pc'] >>> 0;
  return regsScratch;
}

function controlsRecord(controls: GuestControls): Float64Array {
  for (let i = 0; i < CONTROL_NAMES.length; i++) controlsScratch[i] = controls[CONTROL_NAMES[i] ?? 'hvip'];
  return controlsScratch;
}

function changedRegs(bytes: Uint8Array): Partial<GuestRegs> {
  const raw = pairs(bytes, GUEST_REG_NAMES, 'setRegs');
  for (const name of Object.keys(raw)) raw[name] = u32(raw[name] ?? NaN, name);
  return raw as Partial<GuestRegs>;
}

function changedControls(bytes: Uint8Array): Partial<GuestControls> {
  const raw = pairs(bytes, CONTROL_NAMES, 'setControls');
  for (const name of Object.keys(raw)) {
    const v = raw[name] ?? NaN;
    raw[name] = name === 'htimedelta' ? uint(v, 2 ** 53, 'htimedelta') : u32(v, name);
  }
  return raw as Partial<GuestControls>;
}

const exitScratch = new Float64Array(EXIT_RECORD_LENGTH);
const vmcsScratch = new Float64Array(EXIT_RECORD_LENGTH + GUEST_REG_NAMES.length);
const vmcsRegs = vmcsScratch.subarray(EXIT_RECORD_LENGTH);

/**
 * The virtual VMCS entry (CLOUDVISOR.md section 1): the register changes the VMM made in its page
 * since the last exit are delivered, and checked, with the entry; the exit comes back with the
 * registers the VMM may see, so reading and writing them costs no further trap.
 */
function runWithVmcs(b: HypBackend, a: CallArgs): Float64Array {
  const vcpu = id(a.n1);
  const pending = a.bytes('virtual VMCS changes');
  if (pending.length > 0) b.vcpu.setRegs(vcpu, changedRegs(pending));
  vmcsScratch.set(exitRecord(b.vcpu.run(vcpu)), 0);
  if (b.vcpu.regsRecord) b.vcpu.regsRecord(vcpu, vmcsRegs);
  else vmcsRegs.set(regsRecord(b.vcpu.regs(vcpu)));
  return vmcsScratch;
}

/** Encodes an exit into the reused scratch record (copied into the engine right away). */
export function exitRecord(exit: Exit): Float64Array {
  const f = exitScratch;
  f.fill(0);
  f[0] = EXIT_KIND_CODE[exit.kind];
  switch (exit.kind) {
    case 'sbi':
      f[1] = exit.ext >>> 0; f[2] = exit.fid >>> 0;
      for (let i = 0; i < 8; i++) f[3 + i] = (exit.args[i] ?? 0) >>> 0;
      break;
    case 'mmio-load': f[1] = exit.gpa; f[2] = exit.width; f[3] = exit.signed ? 1 : 0; f[4] = exit.rd; break;
    case 'mmio-store': f[1] = exit.gpa; f[2] = exit.width; f[3] = exit.value >>> 0; break;
    case 'guest-page-fault': f[1] = exit.gpa; f[2] = ACCESS_CODE[exit.access]; break;
    case 'virtual-instruction': f[1] = exit.insn >>> 0; break;
    case 'interrupt': f[1] = exit.cause >>> 0; break;
    case 'other': f[1] = exit.scause >>> 0; f[2] = exit.stval >>> 0; f[3] = exit.htval >>> 0; f[4] = exit.htinst >>> 0; break;
    case 'wfi': case 'quantum': break;
    default: throw new Error(`backend returned an unknown exit ${JSON.stringify(exit satisfies never)}`);
  }
  return f;
}

function diskRequest(a: CallArgs): DiskRequest {
  const ops = ['read', 'write', 'flush'] as const;
  const op = ops[uint(a.n1, ops.length, 'disk op')] ?? 'flush';
  return { op, sector: uint(a.n2, 2 ** 53, 'sector'), count: uint(a.n3, MAX_BULK_BYTES / 512 + 1, 'count'), pa: pa(a.n4) };
}

function completions(list: readonly DiskCompletion[]): Float64Array {
  const out = new Float64Array(list.length * 2);
  list.forEach((c, i) => { out[2 * i] = c.tag; out[2 * i + 1] = DISK_STATUS_CODE[c.status]; });
  return out;
}

/** [pcrMask, nonceLen, digestLen, sigLen] as u32 LE, then the three byte strings. */
function quoteRecord(q: TpmQuote): Uint8Array {
  const out = new Uint8Array(16 + q.nonce.length + q.pcrDigest.length + q.signature.length);
  const view = new DataView(out.buffer);
  [q.pcrMask, q.nonce.length, q.pcrDigest.length, q.signature.length].forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
  out.set(q.nonce, 16);
  out.set(q.pcrDigest, 16 + q.nonce.length);
  out.set(q.signature, 16 + q.nonce.length + q.pcrDigest.length);
  return out;
}

function patchFault(a: CallArgs): RawPatchFault {
  const parsed: unknown = JSON.parse(a.text('patch fault'));
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { patchId: uint(a.n1, 2 ** 31, 'patch id'), name: s(o['name']), message: s(o['message']), stack: s(o['stack']) };
}

const HANDLERS = {
  HART_ID: (b) => b.hartId,
  MEM_READ: (b, a) => b.mem.read(pa(a.n1), uint(a.n2, MAX_BULK_BYTES + 1, 'length')),
  MEM_WRITE: (b, a) => b.mem.write(pa(a.n1), a.bytes('mem.write bytes')),
  MEM_READ32: (b, a) => b.mem.read32(pa(a.n1)) >>> 0,
  MEM_WRITE32: (b, a) => b.mem.write32(pa(a.n1), u32(a.n2, 'value')),
  VCPU_CREATE: (b) => b.vcpu.create(),
  VCPU_DESTROY: (b, a) => b.vcpu.destroy(id(a.n1)),
  VCPU_REGS: (b, a) => regsRecord(b.vcpu.regs(id(a.n1))),
  VCPU_SET_REGS: (b, a) => b.vcpu.setRegs(id(a.n1), changedRegs(a.bytes('register changes'))),
  VCPU_CONTROLS: (b, a) => controlsRecord(b.vcpu.controls(id(a.n1))),
  VCPU_SET_CONTROLS: (b, a) => b.vcpu.setControls(id(a.n1), changedControls(a.bytes('control changes'))),
  VCPU_RUN: (b, a) => exitRecord(b.vcpu.run(id(a.n1))),
  FENCE_GVMA: (b, a) => b.fence.gvma(optional(a.n1, 'vmid'), optional(a.n2, 'gpa')),
  FENCE_VVMA: (b, a) => b.fence.vvma(u32(a.n1, 'vmid'), optional(a.n2, 'va'), optional(a.n3, 'asid')),
  TIMER_NOW: (b) => b.timer.now(),
  TIMER_SET: (b, a) => b.timer.set(uint(a.n1, 2 ** 53, 'deadline')),
  IPI: (b, a) => b.ipi(u32(a.n1, 'hart mask')),
  DISK_SECTORS: (b) => b.disk.sectors(),
  DISK_SUBMIT: (b, a) => b.disk.submit(diskRequest(a)),
  DISK_POLL: (b) => completions(b.disk.poll()),
  CONSOLE_WRITE: (b, a) => b.console.write(a.bytes('console bytes')),
  CONSOLE_READ: (b, a) => b.console.read(uint(a.n1, MAX_BULK_BYTES + 1, 'max')),
  TPM_PCR_READ: (b, a) => b.tpm.pcrRead(uint(a.n1, 256, 'PCR index')),
  TPM_PCR_EXTEND: (b, a) => b.tpm.pcrExtend(uint(a.n1, 256, 'PCR index'), a.bytes('digest')),
  TPM_QUOTE: (b, a) => quoteRecord(b.tpm.quote(u32(a.n1, 'PCR mask'), a.bytes('nonce'))),
  TPM_RANDOM: (b, a) => b.tpm.random(uint(a.n1, 65537, 'length')),
  TPM_COUNTER_READ: (b, a) => b.tpm.counterRead(uint(a.n1, 256, 'counter index')),
  TPM_COUNTER_INCREMENT: (b, a) => b.tpm.counterIncrement(uint(a.n1, 256, 'counter index')),
  LAB_EXFILTRATE: (_b, a, s) => s.lab.exfiltrate(a.text('label'), a.bytes('exfiltrated bytes')),
  LAB_LOG: (_b, a, s) => s.lab.log(a.text('log text')),
  PATCH_FAULT: (_b, a, s) => s.patchFault(patchFault(a)),
  VCPU_RUN_VMCS: runWithVmcs,
} satisfies Record<OpName, Handler>;

/** Builds the op-indexed table once, so a call is one array load. */
function handlerTable(): Handler[] {
  const table: Handler[] = [];
  for (const name of Object.keys(OP) as OpName[]) table[OP[name]] = HANDLERS[name];
  return table;
}

/** Turns any host exception into the error the engine code sees. */
function engineError(context: QuickJSContext, error: unknown): ReturnType<QuickJSContext['newError']> {
  if (error instanceof HypFault) {
    const handle = context.newError({ name: 'HypFault', message: error.message });
    context.newNumber(error.pa).consume((v) => context.setProp(handle, 'pa', v));
    context.newString(error.access).consume((v) => context.setProp(handle, 'access', v));
    return handle;
  }
  const message = error instanceof HypCallError ? error.message
    : `hypervisor call failed in the host: ${error instanceof Error ? error.message : String(error)}`;
  return context.newError({ name: 'HypError', message });
}

/** One engine's dispatch: registered as the raw handler of a single host function. */
export class HostBinding implements CallArgs {
  n1 = NaN;
  n2 = NaN;
  n3 = NaN;
  n4 = NaN;
  /** Host calls served, for metrics. */
  calls = 0;
  private argc = 0;
  private argv = 0;
  private readonly table = handlerTable();

  constructor(
    private readonly context: QuickJSContext,
    private readonly ll: LowLevelContext,
    private readonly backend: HypBackend,
    private readonly sinks: BindingSinks,
  ) {}

  /** The raw C -> host entry: returns an owned JSValue pointer, or 0 for undefined. */
  dispatch(argc: number, argv: number): number {
    const { ffi, ctxPtr } = this.ll;
    this.argc = argc;
    this.argv = argv;
    this.calls++;
    const op = argc > 0 ? ffi.QTS_GetFloat64(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(argv, 0)) : 0;
    this.n1 = argc > 1 ? ffi.QTS_GetFloat64(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(argv, 1)) : NaN;
    this.n2 = argc > 2 ? ffi.QTS_GetFloat64(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(argv, 2)) : NaN;
    this.n3 = argc > 3 ? ffi.QTS_GetFloat64(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(argv, 3)) : NaN;
    this.n4 = argc > 4 ? ffi.QTS_GetFloat64(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(argv, 4)) : NaN;
    try {
      const handler = Number.isInteger(op) ? this.table[op] : undefined;
      if (handler === undefined) throw new HypCallError(`unknown hypervisor operation ${String(op)}`);
      return this.encode(handler(this.backend, this, this.sinks));
    } catch (error) {
      return engineError(this.context, error).consume((h) => ffi.QTS_Throw(ctxPtr, h.value));
    }
  }

  bytes(what: string): Uint8Array {
    const { ffi, ctxPtr, heap } = this.ll;
    if (this.argc <= ARG_BYTES) throw new HypCallError(`${what}: missing`);
    const value = ffi.QTS_ArgvGetJSValueConstPointer(this.argv, ARG_BYTES);
    const ptr = ffi.QTS_GetArrayBuffer(ctxPtr, value);
    if (ptr === 0) throw new HypCallError(`${what} must be a Uint8Array`);
    try {
      const length = ffi.QTS_GetArrayBufferLength(ctxPtr, value);
      if (length > MAX_BULK_BYTES) throw new HypCallError(`${what}: more than ${MAX_BULK_BYTES} bytes`);
      return heap.HEAPU8.slice(ptr, ptr + length);
    } finally {
      heap._free(ptr);
    }
  }

  text(what: string): string {
    const { ffi, ctxPtr, heap } = this.ll;
    if (this.argc <= ARG_TEXT) throw new HypCallError(`${what}: missing`);
    const ptr = ffi.QTS_GetString(ctxPtr, ffi.QTS_ArgvGetJSValueConstPointer(this.argv, ARG_TEXT));
    if (ptr === 0) throw new HypCallError(`${what} must be a string`);
    const text = heap.UTF8ToString(ptr);
    ffi.QTS_FreeCString(ctxPtr, ptr);
    return text;
  }

  private encode(result: HostResult): number {
    const { ffi, ctxPtr, heap } = this.ll;
    if (result === undefined || result === null) return 0;
    if (typeof result === 'number') return ffi.QTS_NewFloat64(ctxPtr, result);
    const bytes = result instanceof Uint8Array ? result : new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
    if (bytes.length > MAX_BULK_BYTES) throw new HypCallError(`result larger than ${MAX_BULK_BYTES} bytes`);
    // The engine frees this buffer when its ArrayBuffer dies (QTS_NewArrayBuffer takes ownership).
    const ptr = heap._malloc(Math.max(1, bytes.length));
    if (ptr === 0) throw new HypCallError('the engine heap is exhausted');
    heap.HEAPU8.set(bytes, ptr);
    return ffi.QTS_NewArrayBuffer(ctxPtr, ptr, bytes.length);
  }
}
