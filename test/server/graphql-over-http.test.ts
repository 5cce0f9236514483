/** The graphql-http package's server audit (GraphQL over HTTP spec), on both transports: 0 failures, 0 warnings. */
import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';

let gateway: TestGateway;

useGateway({}, (running) => {
  ({ gateway } = running);
});

/** GET and form requests need the CSRF preflight header, as browsers' non-simple requests carry. */
const withPreflight = (init?: RequestInit): RequestInit => ({
  ...init,
  headers: { ...Object.fromEntries(new Headers(init?.headers)), 'graphql-require-preflight': '1' },
});

describe('GraphQL over HTTP', () => {
  it('the node:http listener passes every audit', async () => {
    const results = await Promise.all(
      serverAudits({
        url: `${gateway.url}/graphql`,
        fetchFn: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, withPreflight(init)),
      }).map((audit) => audit.fn()),
    );
    expect(
      results.filter((result) => result.status !== 'ok').map((result) => `${result.status}: ${result.name}`),
    ).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });

  it('gateway.fetch (the fetch-API transport) passes every audit', async () => {
    const fetchFn = (input: RequestInfo | URL, init?: RequestInit) =>
      gateway.fetch(new Request(input, withPreflight(init)));
    const results = await Promise.all(
      serverAudits({ url: 'http://gateway.test/graphql', fetchFn }).map((audit) => audit.fn()),
    );
    expect(
      results.filter((result) => result.status !== 'ok').map((result) => `${result.status}: ${result.name}`),
    ).toEqual([]);
  });
});
