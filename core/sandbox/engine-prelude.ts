// The trusted in-engine half of the boundary, evaluated first in every engine: it wraps the one
// dispatch function (held only in this closure) into the frozen `hyp`, `lab` and `definePatch`
// globals, seeds Math.random, and runs the patch registry whose guards disable a faulting patch.
// It captures every intrinsic it uses before untrusted code runs, so tampering by the VMM or a patch
// cannot change the values this code sends to the host.
import {
  ABI_TO_GPR, ACCESS_CODE, CONTROL_NAMES, DISK_OP_CODE, DISK_STATUS_CODE, EXIT_KIND_CODE, EXIT_RECORD_LENGTH, GUEST_REG_NAMES, OP,
} from './hyp-ops';

/** Patch states as the registry reports them. */
export type PatchState = 'loaded' | 'installed' | 'uninstalled' | 'disabled';

/** Names of the functions the prelude returns to the host (and only to the host). */
export const INTERNALS = [
  'setBundle', 'invoke', 'numeric', 'loadPatch', 'installPatch', 'uninstallPatch', 'disablePatch', 'patchState',
] as const;
export type InternalName = (typeof INTERNALS)[number];

function names<T extends string>(codes: Readonly<Record<T, number>>): string {
  const out: string[] = [];
  for (const [name, code] of Object.entries(codes) as [string, number][]) out[code] = name;
  return JSON.stringify(out);
}

function regIndex(): string {
  const index: Record<string, number> = {};
  GUEST_REG_NAMES.forEach((name, i) => { index[name] = i; });
  for (const [abi, gpr] of Object.entries(ABI_TO_GPR)) index[abi] = gpr;
  return JSON.stringify(index);
}

/** An object literal over `f` (QuickJS builds literal shapes far faster than computed keys). */
function literal(fields: readonly string[]): string {
  return `{ ${fields.map((name, i) => `${name}: f[${i}]`).join(', ')} }`;
}

/** Source of a function expression `(dispatch, config) => internals`, with the wire constants inlined. */
export function preludeSource(): string {
  return `(function (dispatch, config) {
'use strict';
const G = globalThis, O = Object, freeze = O.freeze, keys = O.keys, defineProperty = O.defineProperty;
const apply = Reflect.apply, create = O.create, Str = String, imul = Math.imul, isInteger = Number.isInteger;
const U8 = Uint8Array, F64 = Float64Array, AB = ArrayBuffer, DV = DataView, Err = Error, TypeErr = TypeError;
const u8set = U8.prototype.set, jsonParse = JSON.parse, jsonStringify = JSON.stringify;
const dvU32 = DV.prototype.getUint32, u8subarray = U8.prototype.subarray, u8slice = U8.prototype.slice;
const abSlice = AB.prototype.slice;
const OP = ${JSON.stringify(OP)};
const REG_INDEX = O.assign(create(null), ${regIndex()});
const CONTROLS = ${JSON.stringify(CONTROL_NAMES)};
const CONTROL_INDEX = create(null);
for (let i = 0; i < CONTROLS.length; i++) CONTROL_INDEX[CONTROLS[i]] = i;
const EXIT_KINDS = ${names(EXIT_KIND_CODE)};
const ACCESS = ${names(ACCESS_CODE)};
const DISK_OPS = O.assign(create(null), ${JSON.stringify(DISK_OP_CODE)});
const DISK_STATUS = ${names(DISK_STATUS_CODE)};

function hypError(message) { const e = new Err(message); e.name = 'HypError'; return e; }
function num(x, what) { if (typeof x !== 'number') throw hypError(what + ' must be a number'); return x; }
function opt(x, what) { return x === undefined ? NaN : num(x, what); }
function toBuffer(bytes, what) {
  if (!(bytes instanceof U8)) throw hypError(what + ' must be a Uint8Array');
  const out = new AB(bytes.length);
  apply(u8set, new U8(out), [bytes]);
  return out;
}
function changes(obj, index, what) {
  if (typeof obj !== 'object' || obj === null) throw hypError(what + ': changes must be an object');
  const ks = keys(obj), f = new F64(ks.length * 2);
  for (let i = 0; i < ks.length; i++) {
    const idx = index[ks[i]];
    if (idx === undefined) throw hypError(what + ": unknown name '" + ks[i] + "'");
    f[2 * i] = idx;
    f[2 * i + 1] = num(obj[ks[i]], ks[i]);
  }
  return f.buffer;
}
function decodeExit(buffer) {
  const f = new F64(buffer), kind = EXIT_KINDS[f[0]];
  switch (kind) {
    case 'sbi': return { kind, ext: f[1], fid: f[2], args: [f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]] };
    case 'mmio-load': return { kind, gpa: f[1], width: f[2], signed: f[3] === 1, rd: f[4] };
    case 'mmio-store': return { kind, gpa: f[1], width: f[2], value: f[3] };
    case 'guest-page-fault': return { kind, gpa: f[1], access: ACCESS[f[2]] };
    case 'virtual-instruction': return { kind, insn: f[1] };
    case 'interrupt': return { kind, cause: f[1] };
    case 'other': return { kind, scause: f[1], stval: f[2], htval: f[3], htinst: f[4] };
    default: return { kind };
  }
}
function decodeQuote(buffer) {
  const v = new DV(buffer), b = new U8(buffer);
  const mask = apply(dvU32, v, [0, true]), n = apply(dvU32, v, [4, true]);
  const d = apply(dvU32, v, [8, true]), s = apply(dvU32, v, [12, true]);
  return { pcrMask: mask, nonce: apply(u8slice, b, [16, 16 + n]), pcrDigest: apply(u8slice, b, [16 + n, 16 + n + d]),
    signature: apply(u8slice, b, [16 + n + d, 16 + n + d + s]) };
}
const mem = freeze({
  read(pa, len) { return new U8(dispatch(OP.MEM_READ, num(pa, 'pa'), num(len, 'len'))); },
  write(pa, bytes) { dispatch(OP.MEM_WRITE, num(pa, 'pa'), 0, 0, 0, toBuffer(bytes, 'mem.write bytes')); },
  read32(pa) { return dispatch(OP.MEM_READ32, num(pa, 'pa')); },
  write32(pa, value) { dispatch(OP.MEM_WRITE32, num(pa, 'pa'), num(value, 'value')); },
});
// Virtual VMCS (config.virtualVmcs): per vCPU, the registers shown at its last exit and the
// changes made since, kept here and exchanged with the host in the run call only.
const VMCS = config.virtualVmcs === true, EXIT_LEN = ${EXIT_RECORD_LENGTH}, REGS_LEN = ${GUEST_REG_NAMES.length};
const vmcs = create(null), NO_CHANGES = new AB(0);
function vmcsOf(id) { const v = vmcs[id]; return v !== undefined && v.valid ? v : null; }
// Changes are appended as (index, value) pairs; the host applies them in order, so the last wins.
function vmcsSet(v, idx, value) {
  num(value, 'value');
  v.regs[idx] = value >>> 0;
  if (v.count === REGS_LEN * 4) throw hypError('setRegs: too many changes before the next run');
  v.changes[2 * v.count] = idx;
  v.changes[2 * v.count + 1] = value;
  v.count++;
}
function vmcsChanges(v) {
  if (v.count === 0) return NO_CHANGES;
  const out = apply(abSlice, v.changes.buffer, [0, v.count * 16]);
  v.count = 0;
  return out;
}
const vcpu = freeze({
  create() { return dispatch(OP.VCPU_CREATE); },
  destroy(id) { delete vmcs[id]; dispatch(OP.VCPU_DESTROY, num(id, 'id')); },
  regs(id) {
    const v = VMCS ? vmcsOf(id) : null;
    const f = v !== null ? v.regs : new F64(dispatch(OP.VCPU_REGS, num(id, 'id')));
    return ${literal(GUEST_REG_NAMES)};
  },
  setRegs(id, c) {
    const v = VMCS ? vmcsOf(id) : null;
    if (v === null) { dispatch(OP.VCPU_SET_REGS, num(id, 'id'), 0, 0, 0, changes(c, REG_INDEX, 'setRegs')); return; }
    if (typeof c !== 'object' || c === null) throw hypError('setRegs: changes must be an object');
    const ks = keys(c);
    for (let i = 0; i < ks.length; i++) {
      const idx = REG_INDEX[ks[i]];
      if (idx === undefined) throw hypError("setRegs: unknown name '" + ks[i] + "'");
      vmcsSet(v, idx, c[ks[i]]);
    }
  },
  setReg(id, reg, value) {
    const idx = typeof reg === 'number' ? (isInteger(reg) && reg >= 1 && reg <= 31 ? reg : -1) : REG_INDEX[reg];
    if (idx === undefined || idx < 0) throw hypError("setReg: unknown register '" + Str(reg) + "'");
    const v = VMCS ? vmcsOf(id) : null;
    if (v !== null) { vmcsSet(v, idx, value); return; }
    const f = new F64(2); f[0] = idx; f[1] = num(value, 'value');
    dispatch(OP.VCPU_SET_REGS, num(id, 'id'), 0, 0, 0, f.buffer);
  },
  controls(id) {
    const f = new F64(dispatch(OP.VCPU_CONTROLS, num(id, 'id')));
    return ${literal(CONTROL_NAMES)};
  },
  setControls(id, c) { dispatch(OP.VCPU_SET_CONTROLS, num(id, 'id'), 0, 0, 0, changes(c, CONTROL_INDEX, 'setControls')); },
  run(id) {
    if (!VMCS) return decodeExit(dispatch(OP.VCPU_RUN, num(id, 'id')));
    let v = vmcs[id];
    if (v === undefined) { v = { regs: null, changes: new F64(REGS_LEN * 8), count: 0, valid: false }; vmcs[id] = v; }
    const pending = v.valid ? vmcsChanges(v) : NO_CHANGES;
    v.valid = false;
    const record = dispatch(OP.VCPU_RUN_VMCS, num(id, 'id'), 0, 0, 0, pending);
    v.regs = new F64(record, EXIT_LEN * 8, REGS_LEN);
    v.valid = true;
    return decodeExit(record);
  },
});
const fence = freeze({
  gvma(vmid, gpa) { dispatch(OP.FENCE_GVMA, opt(vmid, 'vmid'), opt(gpa, 'gpa')); },
  vvma(vmid, va, asid) { dispatch(OP.FENCE_VVMA, num(vmid, 'vmid'), opt(va, 'va'), opt(asid, 'asid')); },
});
const timer = freeze({
  now() { return dispatch(OP.TIMER_NOW); },
  set(deadline) { dispatch(OP.TIMER_SET, num(deadline, 'deadline')); },
});
const disk = freeze({
  sectors() { return dispatch(OP.DISK_SECTORS); },
  submit(req) {
    if (typeof req !== 'object' || req === null) throw hypError('disk.submit: request must be an object');
    const op = DISK_OPS[req.op];
    if (op === undefined) throw hypError("disk.submit: op must be 'read', 'write' or 'flush'");
    return dispatch(OP.DISK_SUBMIT, op, num(req.sector, 'sector'), num(req.count, 'count'), num(req.pa, 'pa'));
  },
  poll() {
    const f = new F64(dispatch(OP.DISK_POLL)), out = [];
    for (let i = 0; i < f.length; i += 2) out.push({ tag: f[i], status: DISK_STATUS[f[i + 1]] });
    return out;
  },
});
const console_ = freeze({
  write(bytes) { dispatch(OP.CONSOLE_WRITE, 0, 0, 0, 0, toBuffer(bytes, 'console.write bytes')); },
  read(max) { return new U8(dispatch(OP.CONSOLE_READ, num(max, 'max'))); },
});
const tpm = freeze({
  pcrRead(index) { return new U8(dispatch(OP.TPM_PCR_READ, num(index, 'index'))); },
  pcrExtend(index, digest) { dispatch(OP.TPM_PCR_EXTEND, num(index, 'index'), 0, 0, 0, toBuffer(digest, 'digest')); },
  quote(mask, nonce) { return decodeQuote(dispatch(OP.TPM_QUOTE, num(mask, 'pcrMask'), 0, 0, 0, toBuffer(nonce, 'nonce'))); },
  random(length) { return new U8(dispatch(OP.TPM_RANDOM, num(length, 'length'))); },
  counterRead(index) { return dispatch(OP.TPM_COUNTER_READ, num(index, 'index')); },
  counterIncrement(index) { return dispatch(OP.TPM_COUNTER_INCREMENT, num(index, 'index')); },
});
const hyp = freeze({
  get hartId() { return dispatch(OP.HART_ID); },
  harts: config.harts,
  mem, vcpu, fence, timer,
  ipi(mask) { dispatch(OP.IPI, num(mask, 'hartMask')); },
  disk, console: console_, tpm,
});
const lab = freeze({
  exfiltrate(label, bytes) { dispatch(OP.LAB_EXFILTRATE, 0, 0, 0, 0, toBuffer(bytes, 'exfiltrated bytes'), Str(label)); },
  log(text) { dispatch(OP.LAB_LOG, 0, 0, 0, 0, undefined, Str(text)); },
});
function definePatch(def) {
  if (typeof def !== 'object' || def === null) throw new TypeErr('definePatch expects { name, install(vmm, hyp) }');
  return def;
}
function constant(name, value) { defineProperty(G, name, { value, writable: false, enumerable: false, configurable: false }); }
constant('hyp', hyp);
constant('lab', lab);
constant('definePatch', definePatch);
// Determinism: the engine's only clock is hyp.timer, its only randomness this seeded generator.
let seed = config.seed | 0;
defineProperty(Math, 'random', { writable: true, configurable: true, value: function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
} });
delete G.Date;

let bundle = null;
function exported(name) {
  if (bundle === null) throw new Err('no VMM bundle is loaded');
  const fn = bundle[name];
  if (typeof fn !== 'function') throw new TypeErr("the VMM bundle exports no function '" + name + "'");
  return fn;
}
const patches = create(null);
function describe(e) {
  try {
    if (e instanceof Err) return { name: Str(e.name), message: Str(e.message), stack: Str(e.stack) };
    return { name: 'Error', message: 'threw a non-Error value: ' + Str(e), stack: '' };
  } catch (inner) { return { name: 'Error', message: 'threw a value that cannot be described', stack: '' }; }
}
function undo(p) {
  const list = p.undo;
  p.undo = [];
  for (let i = list.length - 1; i >= 0; i--) { try { list[i](); } catch (e) { /* already failing: keep undoing */ } }
}
function fault(p, e) {
  if (p.state !== 'installed') return;
  p.state = 'disabled';
  undo(p);
  if (typeof p.def.uninstall === 'function') { try { p.def.uninstall(); } catch (e2) { /* reported fault is the first */ } }
  dispatch(OP.PATCH_FAULT, p.id, 0, 0, 0, undefined, jsonStringify(describe(e)));
}
const PromiseC = Promise, then = PromiseC.prototype.then, isPromise = (v) => v instanceof PromiseC;
/** An async hook's rejection is a fault too (the engine's jobs run before the call returns). */
function watch(p, result) {
  if (isPromise(result)) apply(then, result, [undefined, function (e) { fault(p, e); }]);
  return result;
}
function track(p, unsubscribe, what) {
  if (typeof unsubscribe !== 'function') throw new TypeErr('the VMM ' + what + ' returned no unsubscribe function');
  let done = false;
  const once = function () { if (!done) { done = true; unsubscribe(); } };
  p.undo.push(once);
  return once;
}
function facade(p, api) {
  return freeze({
    hooks: freeze({ on(name, fn) {
      if (typeof fn !== 'function') throw new TypeErr('vmm.hooks.on(' + Str(name) + ', fn): fn must be a function');
      const guarded = function (...args) {
        if (p.state !== 'installed') return undefined;
        try { return watch(p, apply(fn, this, args)); } catch (e) { fault(p, e); return undefined; }
      };
      return track(p, api.hooks.on(name, guarded), 'hooks.on');
    } }),
    wrap(path, fn) {
      if (typeof fn !== 'function') throw new TypeErr('vmm.wrap(' + Str(path) + ', fn): fn must be a function');
      const guarded = function (original, ...args) {
        if (p.state !== 'installed') return apply(original, this, args);
        try { return watch(p, apply(fn, this, [original, ...args])); }
        catch (e) { fault(p, e); return apply(original, this, args); }
      };
      return track(p, api.wrap(path, guarded), 'wrap');
    },
    exfiltrate(label, bytes) { return api.exfiltrate(label, bytes); },
  });
}
function patch(id) {
  const p = patches[id];
  if (p === undefined) throw new Err('no patch ' + id);
  return p;
}
return freeze({
  setBundle(ns) { if (bundle !== null) throw new Err('a VMM bundle is already loaded'); bundle = ns; },
  invoke(name, argsJson) {
    const result = apply(exported(name), undefined, jsonParse(argsJson));
    return result === undefined ? undefined : jsonStringify(result);
  },
  numeric(name) {
    const fn = exported(name);
    return function (...args) { const r = apply(fn, undefined, args); return typeof r === 'number' ? r : NaN; };
  },
  loadPatch(id, ns) {
    const def = ns.default;
    if (typeof def !== 'object' || def === null || typeof def.install !== 'function' || typeof def.name !== 'string') {
      throw new TypeErr('a patch must "export default definePatch({ name, install(vmm, hyp) { ... } })"');
    }
    patches[id] = { id, def, state: 'loaded', undo: [] };
    return def.name;
  },
  installPatch(id) {
    const p = patch(id);
    if (p.state !== 'loaded' && p.state !== 'uninstalled') throw new Err('patch ' + p.def.name + ' is ' + p.state);
    const api = bundle === null ? undefined : bundle.patchApi;
    if (typeof api !== 'object' || api === null) throw new Err('the VMM bundle exports no patchApi: patches cannot be installed');
    p.state = 'installed';
    try { watch(p, p.def.install(facade(p, api), hyp)); }
    catch (e) { p.state = 'disabled'; undo(p); throw e; }
  },
  uninstallPatch(id) {
    const p = patch(id);
    if (p.state !== 'installed') return;
    p.state = 'uninstalled';
    undo(p);
    if (typeof p.def.uninstall === 'function') p.def.uninstall();
  },
  disablePatch(id) {
    const p = patch(id);
    if (p.state !== 'installed') return;
    p.state = 'disabled';
    undo(p);
    if (typeof p.def.uninstall === 'function') { try { p.def.uninstall(); } catch (e) { /* being disabled already */ } }
  },
  patchState(id) { return patch(id).state; },
});
})`;
}
