// Every benchmark `npm run bench` runs, in order.
import { bareExits } from './bare-exits';
import { diskCrypto } from './disk-crypto';
import { hartMips } from './hart-mips';
import { inspectorRefresh } from './inspector-refresh';
import { labRoundTrip } from './lab-round-trip';
import { monitorSize } from './monitor-size';
import type { Bench } from './report';
import { sandboxCrossing } from './sandbox-crossing';

export const BENCHES: readonly (readonly [string, Bench])[] = [
  ['hart', hartMips],
  ['sandbox', sandboxCrossing],
  ['exits', bareExits],
  ['disk', diskCrypto],
  ['lab', labRoundTrip],
  ['monitor', monitorSize],
  ['inspect', inspectorRefresh],
];
