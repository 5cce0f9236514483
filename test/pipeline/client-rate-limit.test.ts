/** Inbound rate limits per client, on an injected clock. */
import { describe, expect, it } from 'vitest';
import { createClientRateLimit } from '../../src/pipeline/client-rate-limit.ts';

const client = (headers: Record<string, string>, clientAddress = '10.0.0.1') => ({
  header: (name: string) => headers[name],
  clientAddress,
});
const codeOf = (run: () => void) => {
  try {
    run();
    return 'admitted';
  } catch (error) {
    return (error as { code: string; facts?: { retryAfterSeconds: number } }).code;
  }
};

describe('client rate limit', () => {
  it('admits a burst, then refuses with the seconds until the next token, then refills', () => {
    let now = 0;
    const limit = createClientRateLimit(
      { requestsPerSecond: 0.5, burst: 2, by: 'authorization', maxClients: 10 },
      () => now,
    );
    const caller = client({ authorization: 'Bearer a' });
    expect([
      codeOf(() => limit.admit(caller)),
      codeOf(() => limit.admit(caller)),
      codeOf(() => limit.admit(caller)),
    ]).toEqual(['admitted', 'admitted', 'REQUEST_RATE_LIMITED']);
    try {
      limit.admit(caller);
    } catch (error) {
      expect(error).toMatchObject({ facts: { retryAfterSeconds: 2 } });
    }
    now = 2_000;
    expect(codeOf(() => limit.admit(caller))).toBe('admitted');
    expect(codeOf(() => limit.admit(caller))).toBe('REQUEST_RATE_LIMITED');
  });

  it('keeps a bucket per token, falling back to the address without one', () => {
    const limit = createClientRateLimit(
      { requestsPerSecond: 1, burst: 1, by: 'authorization', maxClients: 10 },
      () => 0,
    );
    expect(codeOf(() => limit.admit(client({ authorization: 'Bearer a' })))).toBe('admitted');
    expect(codeOf(() => limit.admit(client({ authorization: 'Bearer b' })))).toBe('admitted');
    expect(codeOf(() => limit.admit(client({}, '10.0.0.2')))).toBe('admitted');
    expect(codeOf(() => limit.admit(client({}, '10.0.0.2')))).toBe('REQUEST_RATE_LIMITED');
    expect(codeOf(() => limit.admit(client({ authorization: 'Bearer a' })))).toBe('REQUEST_RATE_LIMITED');
  });

  it('can key on the address alone, or on a header a trusted proxy sets', () => {
    const byIp = createClientRateLimit({ requestsPerSecond: 1, burst: 1, by: 'ip', maxClients: 10 }, () => 0);
    expect(codeOf(() => byIp.admit(client({ authorization: 'Bearer a' })))).toBe('admitted');
    expect(codeOf(() => byIp.admit(client({ authorization: 'Bearer b' })))).toBe('REQUEST_RATE_LIMITED');
    const byHeader = createClientRateLimit(
      { requestsPerSecond: 1, burst: 1, by: { header: 'x-client-ip' }, maxClients: 10 },
      () => 0,
    );
    expect(codeOf(() => byHeader.admit(client({ 'x-client-ip': '1.1.1.1' })))).toBe('admitted');
    expect(codeOf(() => byHeader.admit(client({ 'x-client-ip': '2.2.2.2' })))).toBe('admitted');
  });

  it('remembers at most maxClients clients: the least recently seen start afresh', () => {
    const limit = createClientRateLimit({ requestsPerSecond: 1, burst: 1, by: 'ip', maxClients: 2 }, () => 0);
    for (const address of ['a', 'b', 'c']) limit.admit(client({}, address));
    expect(codeOf(() => limit.admit(client({}, 'a')))).toBe('admitted');
    expect(codeOf(() => limit.admit(client({}, 'c')))).toBe('REQUEST_RATE_LIMITED');
  });
});
