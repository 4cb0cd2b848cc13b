// The session log as it crosses from a file or a front end into the host: each kind of event reads
// back; a stamp going back in a host's run, an unknown event kind or a bad position is refused;
// the lab requests that change the hosts' course map to events and back, and the others map to none.
import { describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../../core/lab/protocol';
import {
  SessionLogError, describeLog, eventOfRequest, parseHostPositions, parseSessionLog, requestOfEvent,
} from '../../../core/lab/session-file/session-log';

const LOG: StampedEvent[] = [
  { at: { bare: 10, protected: 12 }, event: { kind: 'patch-load', fileName: 'p.ts', source: 'x', target: 'both' } },
  { at: { bare: 10, protected: 12 }, event: { kind: 'input', console: 'bare:dom1', data: 'ls\r' } },
  { at: { bare: 40, protected: 12 }, event: { kind: 'patch-unload', host: 'protected', id: 1 } },
  { at: { bare: 41, protected: 50 }, event: { kind: 'quote', host: 'bare', nonce: 'ab' } },
  { at: { bare: 41, protected: 90 }, event: { kind: 'reset' } },
];

describe('session log', () => {
  it('reads back every kind of event', () => {
    expect(parseSessionLog(JSON.parse(JSON.stringify(LOG)))).toEqual(LOG);
    expect(describeLog(LOG)).toBe('1 patch load, 1 input, 1 patch unload, 1 TPM quote, 1 reset');
    expect(describeLog([])).toBe('no events');
  });

  it('refuses stamps that go back, unknown events and bad positions', () => {
    expect(() => parseSessionLog([...LOG, { at: { bare: 5, protected: 90 }, event: { kind: 'reset' } }])).toThrow(/event 6 .* goes back in the bare host's run/);
    expect(() => parseSessionLog([{ at: { bare: 1 }, event: { kind: 'format-disk' } }])).toThrow(SessionLogError);
    expect(() => parseSessionLog([{ at: { bare: 1 }, event: { kind: 'input', console: 'bare:dom1' } }])).toThrow(/event 1/);
    expect(() => parseSessionLog({})).toThrow(/not a list/);
    expect(() => parseHostPositions({ bare: 1.5 }, 'the save point')).toThrow(/invalid position for "bare"/);
    expect(() => parseHostPositions({ elsewhere: 1 }, 'the save point')).toThrow(/invalid position for "elsewhere"/);
    expect(parseHostPositions({ bare: 7 }, 'the save point')).toEqual({ bare: 7 });
  });

  it('maps course-changing requests to events and back', () => {
    for (const { event } of LOG) {
      const request = requestOfEvent(event);
      expect(eventOfRequest(request.method, request.params)).toEqual(event);
    }
    expect(eventOfRequest('host.step', { instructions: 5 })).toBeNull();
    expect(eventOfRequest('inspect.memory', {})).toBeNull();
    expect(eventOfRequest('console.input', { console: 'bare:dom1' })).toBeNull();
  });
});
