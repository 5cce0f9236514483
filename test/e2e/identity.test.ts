/**
 * No cache or dedupe path ever answers one caller with another's data: two
 * callers with different tokens hammer the same fields concurrently, through
 * a source that forwards Authorization and echoes the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

beforeAll(async () => {
  // max-age 1 s: the run crosses expiries, revalidations and cold misses, not just warm hits.
  backends = await startBackends({ accountsMaxAgeSeconds: 1 });
  gateway = await startGateway(backends);
});
afterAll(async () => {
  await gateway.close();
  await backends.close();
});

const TOTAL = 10_000;
const CONCURRENCY = 64;
const callers = [
  { token: exampleUserToken(101), expected: { viewer: { id: 'User:101', name: seed.users[100]!.name }, user: { name: seed.users[0]!.name } } },
  { token: exampleUserToken(102), expected: { viewer: { id: 'User:102', name: seed.users[101]!.name }, user: { name: seed.users[0]!.name } } },
];

describe('identity scoping under load', () => {
  it(`${TOTAL} concurrent requests from two callers: 0 answers with the other caller's data`, { timeout: 120_000 }, async () => {
    let next = 0;
    let wrong = 0;
    let failed = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const caller = callers[next++ % 2]!;
        const answer = await gateway.query('{ viewer { id name } user(id: "User:1") { name } }', undefined, { authorization: `Bearer ${caller.token}` });
        if (answer.body.errors) failed += 1;
        else if (JSON.stringify(answer.body.data) !== JSON.stringify(caller.expected)) wrong += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect({ wrong, failed }).toEqual({ wrong: 0, failed: 0 });
    // The cache did work: far fewer upstream calls than requests, yet more than one per caller.
    const calls = backends.accounts.requests.length;
    expect(calls).toBeLessThan(TOTAL / 10);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});
