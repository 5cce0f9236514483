/**
 * No cache or dedupe path ever answers one caller with another's data: two
 * callers with different tokens hammer the same fields concurrently, through
 * a source that forwards Authorization and echoes the caller.
 */
import { describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { seed } from '../helpers/backends.ts';
import { useGateway } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

/** The gateway's clock: each round starts after every cached answer of the last has expired (max-age 1 s). */
const clock = manualClock();
// max-age 1 s: the rounds cross expiries, revalidations and cold misses, not just warm hits.
const running = useGateway({ now: clock.now, backends: { accountsMaxAgeSeconds: 1 } });

const ROUNDS = 6;
const PER_ROUND = 200;
const CONCURRENCY = 64;
const callers = [
  {
    token: exampleUserToken(101),
    expected: { viewer: { id: 'User:101', name: seed.users[100]!.name }, user: { name: seed.users[0]!.name } },
  },
  {
    token: exampleUserToken(102),
    expected: { viewer: { id: 'User:102', name: seed.users[101]!.name }, user: { name: seed.users[0]!.name } },
  },
];

describe('identity scoping under load', () => {
  it(`${ROUNDS} rounds of ${PER_ROUND} concurrent requests from two callers, each round past the last one's expiry: 0 answers with the other caller's data`, async () => {
    let wrong = 0;
    let failed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let next = 0;
      const worker = async () => {
        while (next < PER_ROUND) {
          const caller = callers[next++ % 2]!;
          const answer = await running.gateway.query('{ viewer { id name } user(id: "User:1") { name } }', undefined, {
            authorization: `Bearer ${caller.token}`,
          });
          if (answer.body.errors) failed += 1;
          else if (JSON.stringify(answer.body.data) !== JSON.stringify(caller.expected)) wrong += 1;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      clock.advance(1_100);
    }
    expect({ wrong, failed }).toEqual({ wrong: 0, failed: 0 });
    // The cache did work: far fewer upstream calls than requests, yet new ones in every round, for each caller.
    const calls = running.backends.accounts.requests.length;
    expect(calls).toBeLessThan((ROUNDS * PER_ROUND) / 10);
    expect(calls).toBeGreaterThanOrEqual(ROUNDS * 2);
  });
});
