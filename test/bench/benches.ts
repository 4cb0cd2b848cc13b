// Every benchmark `npm run bench` runs, in order.
import { labRoundTrip } from './lab-round-trip';
import type { Bench } from './report';

export const BENCHES: readonly (readonly [string, Bench])[] = [['lab', labRoundTrip]];
