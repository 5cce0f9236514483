/** @chain in the run phase: steps in order, `$prev` read from the step before, null ending the chain, the deadline stopping it between steps. */
import { describe, expect, it } from 'vitest';
import type { GraftError } from '../../../src/errors.ts';
import { fakeSource, run } from './fake-source.ts';

const SDL = `
type Order { id: ID! customerId: ID! @internal tier: Tier @chain(steps: [{ query: "customer", args: { id: "$parent.customerId" } }, { query: "tier", args: { code: "$prev.tierCode" } }]) }
type Customer { id: ID! tierCode: String }
type Tier { code: String! discount: Float! }
type Query {
  order(id: ID!): Order @rest(source: "api", path: "/orders/{$args.id}")
  customer(id: ID!): Customer @rest(source: "api", path: "/customers/{$args.id}")
  tier(code: String!): Tier @rest(source: "api", path: "/tiers/{$args.code}")
}
`;

const ANSWERS: Record<string, unknown> = {
  '/orders/1': { id: 1, customerId: 'c1' },
  '/orders/2': { id: 2, customerId: 'c2' },
  '/customers/c1': { id: 'c1', tierCode: 'gold' },
  '/customers/c2': { id: 'c2', tierCode: null },
  '/tiers/gold': { code: 'gold', discount: 0.1 },
};

describe('@chain', () => {
  it("runs the steps in order, each reading the step before's record", async () => {
    const source = fakeSource('api', (request) => ANSWERS[String(request.path)] ?? null);
    const result = await run(SDL, source, '{ order(id: "1") { tier { code discount } } }');
    expect(result).toEqual({ data: { order: { tier: { code: 'gold', discount: 0.1 } } } });
    expect(source.requests.map((request) => String(request.path))).toEqual([
      '/orders/1',
      '/customers/c1',
      '/tiers/gold',
    ]);
  });

  it('ends with null when a step reads nothing to go on, making no call it cannot render', async () => {
    const source = fakeSource('api', (request) => ANSWERS[String(request.path)] ?? null);
    const result = await run(SDL, source, '{ order(id: "2") { tier { code } } }');
    expect(result).toEqual({ data: { order: { tier: null } } });
    expect(source.requests.map((request) => String(request.path))).toEqual(['/orders/2', '/customers/c2']);
  });

  it("stops between steps once the request's deadline has passed, with GATEWAY_TIMEOUT", async () => {
    const context = { deadlineAt: Date.now() + 10_000 };
    const source = fakeSource('api', (request) => {
      // The deadline passes while the customer is being fetched.
      if (String(request.path).startsWith('/customers/')) context.deadlineAt = 0;
      return ANSWERS[String(request.path)] ?? null;
    });
    const result = await run(SDL, source, '{ order(id: "1") { id tier { code } } }', {}, context);
    expect(result.data).toEqual({ order: { id: '1', tier: null } });
    expect((result.errors?.[0]?.originalError as GraftError | undefined)?.code).toBe('GATEWAY_TIMEOUT');
    expect(source.requests.map((request) => String(request.path))).toEqual(['/orders/1', '/customers/c1']);
  });
});
