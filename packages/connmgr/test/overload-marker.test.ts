import { describe, expect, it } from 'vitest';
import { ConnectTimeoutError, MarkedDownError, MultiConnectFailureError } from '../src/index.js';

describe('the "overloaded, try later" marker', () => {
  it('MarkedDownError suggests the whole seconds left of the markdown, at least 1', () => {
    expect(new MarkedDownError('a:1', Date.now() + 4_200, undefined)).toMatchObject({
      overloaded: true,
      retryAfter: 5,
    });
    expect(new MarkedDownError('a:1', Date.now() - 10, undefined).retryAfter).toBe(1);
  });

  it('MultiConnectFailureError carries it only when every failure does', () => {
    const down = (ms: number) => new MarkedDownError('a:1', Date.now() + ms, undefined);
    const all = new MultiConnectFailureError('g', [
      { address: 'a:1', error: down(9_500) },
      { address: 'b:1', error: down(2_500) },
    ]);
    expect(all).toMatchObject({ overloaded: true, retryAfter: 3 });
    const mixed = new MultiConnectFailureError('g', [
      { address: 'a:1', error: down(9_500) },
      { address: 'b:1', error: new ConnectTimeoutError('b:1', 100, 'tcp') },
    ]);
    expect(mixed).toMatchObject({ overloaded: false, retryAfter: undefined });
  });
});
