// Save/restore of the NS16550A model's state for machine snapshots. The UART (the hart
// engineer's file) has no saveState/loadState yet, so this reads its fields through a checked
// structural view: every field is verified to exist with the expected type before anything is
// read or written, so a change in the UART fails loudly here instead of saving wrong state.
// To be replaced by UartNs16550a.saveState()/loadState() (requested; see the board docs).
import type { UartNs16550a } from '../devices/uart-ns16550a';

export interface UartState {
  readonly ier: number;
  readonly lcr: number;
  readonly mcr: number;
  readonly scr: number;
  readonly fcr: number;
  readonly dll: number;
  readonly dlm: number;
  readonly thrIpending: boolean;
  readonly rx: readonly number[];
}

const BYTE_FIELDS = ['ier', 'lcr', 'mcr', 'scr', 'fcr', 'dll', 'dlm'] as const;

type UartFields = { -readonly [K in keyof UartState]: K extends 'rx' ? number[] : UartState[K] } & {
  update(): void;
};

function view(uart: UartNs16550a): UartFields {
  const v = uart as unknown as Record<string, unknown>;
  for (const k of BYTE_FIELDS)
    if (typeof v[k] !== 'number')
      throw new Error(`uart snapshot: ${uart.name} has no numeric field ${k} (the UART model changed)`);
  if (typeof v['thrIpending'] !== 'boolean' || !Array.isArray(v['rx']) || typeof v['update'] !== 'function')
    throw new Error(`uart snapshot: ${uart.name} lacks thrIpending/rx/update (the UART model changed)`);
  return uart as unknown as UartFields;
}

export function saveUartState(uart: UartNs16550a): UartState {
  const v = view(uart);
  return {
    ier: v.ier,
    lcr: v.lcr,
    mcr: v.mcr,
    scr: v.scr,
    fcr: v.fcr,
    dll: v.dll,
    dlm: v.dlm,
    thrIpending: v.thrIpending,
    rx: [...v.rx],
  };
}

export function validateUartState(s: UartState): void {
  for (const k of BYTE_FIELDS) {
    const x = s[k];
    if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new Error(`uart state: ${k} must be a byte`);
  }
  if (typeof s.thrIpending !== 'boolean') throw new Error('uart state: thrIpending must be a boolean');
  if (!Array.isArray(s.rx) || !s.rx.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xff))
    throw new Error('uart state: rx must be bytes');
}

export function loadUartState(uart: UartNs16550a, s: UartState): void {
  validateUartState(s);
  const v = view(uart);
  for (const k of BYTE_FIELDS) v[k] = s[k];
  v.thrIpending = s.thrIpending;
  v.rx.length = 0;
  v.rx.push(...s.rx);
  v.update();
}
