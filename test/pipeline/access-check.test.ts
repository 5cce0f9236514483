/** The access step on its own: which fields an operation selects say who may read them (through fragments, types and interfaces), and what each caller gets. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getOperationAST, parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/token-verifier.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { GraftError } from '../../src/errors.ts';
import { compileGraph } from '../../src/mapping/graph.ts';
import { AccessCheck } from '../../src/pipeline/access-check.ts';
import { checkGraph } from '../../src/server/check.ts';

const graph = compileGraph({
  files: [
    {
      name: 'access.graphql',
      body: `
        interface Account { id: ID! balance: Float @requiresScopes(scopes: [["accounts:read", "money"], ["admin"]]) }
        type Personal implements Account { id: ID! balance: Float owner: String }
        type Audit @authenticated { entries: [String!]! }
        type Query {
          account: Account @rest(source: "s", path: "/account")
          personal: Personal @rest(source: "s", path: "/personal")
          audit: Audit @rest(source: "s", path: "/audit")
          open: String @rest(source: "s", path: "/open")
          orders(customerId: ID!, first: Int): [String!]!
            @policy(allow: "$jwt.sub == $args.customerId || $jwt.roles.filter(role => role == 'support').length() > 0")
            @rest(source: "s", path: "/customers/{$args.customerId}/orders")
        }
        type Statement @policy(allow: "$jwt.sub == $parent.owner") { owner: String total: Float }
        extend type Personal { statement: Statement @rest(source: "s", path: "/statement") }`,
    },
  ],
  sources: { s: { naming: 'camelCase', forwardHeaders: [], maxPageSize: 100, pagination: undefined } },
  resolvers: { Account: { __resolveType: () => 'Personal' } },
});
const access = new AccessCheck(graph.schema, graph.access);

const caller = (...scopes: string[]): Identity => ({
  subject: 's',
  issuer: 'i',
  scopes: new Set(scopes),
  claims: {},
  token: 't',
});
function outcome(query: string, identity?: Identity, variables?: Record<string, unknown>): string {
  const document = parse(query);
  try {
    access.check(document, getOperationAST(document)!, identity, variables);
    return 'ok';
  } catch (error) {
    if (!(error instanceof GraftError)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

describe('the access step', () => {
  it('lets anyone ask what says nothing, and only a verified caller what says @authenticated on its type', () => {
    expect(outcome('{ open }')).toBe('ok');
    expect(outcome('{ audit { entries } }')).toBe('UNAUTHENTICATED: Audit.entries needs a verified token.');
    expect(outcome('{ audit { entries } }', caller())).toBe('ok');
  });

  it('holds an interface field rule on the types that implement it, reached through a fragment', () => {
    const query = '{ personal { ...Money } } fragment Money on Personal { owner balance }';
    expect(outcome(query, caller('accounts:read'))).toBe(
      'FORBIDDEN: Personal.balance needs the scopes accounts:read and money, or admin.',
    );
    expect(outcome(query, caller('accounts:read', 'money'))).toBe('ok');
    expect(outcome(query, caller('admin'))).toBe('ok');
    expect(outcome('{ account { ... on Personal { balance } } }', caller('money'))).toMatch(/^FORBIDDEN/);
    expect(outcome('{ account { id } }', caller())).toBe('ok');
  });

  it('refuses an anonymous caller before it looks at scopes', () => {
    expect(outcome('{ account { balance } }')).toMatch(/^UNAUTHENTICATED: Account.balance/);
  });

  it('judges a claim policy over arguments at each place the field is asked, literal or variable', () => {
    const ada = { ...caller(), subject: 'ada', claims: { sub: 'ada' } };
    expect(outcome('{ orders(customerId: "ada") }', ada)).toBe('ok');
    expect(outcome('{ orders(customerId: "bob") }', ada)).toBe(
      'FORBIDDEN: Query.orders is not for this caller (@policy).',
    );
    expect(outcome('{ mine: orders(customerId: "ada") theirs: orders(customerId: "bob") }', ada)).toMatch(/^FORBIDDEN/);
    const byVariable = 'query ($who: ID!) { orders(customerId: $who, first: 2) }';
    expect(outcome(byVariable, ada, { who: 'ada' })).toBe('ok');
    expect(outcome(byVariable, ada, { who: 'bob' })).toMatch(/^FORBIDDEN/);
    expect(outcome('{ orders(customerId: "bob") }', { ...ada, claims: { sub: 'ada', roles: ['support'] } })).toBe('ok');
    expect(outcome('{ orders(customerId: "ada") }')).toMatch(/^UNAUTHENTICATED/);
  });

  it('leaves a policy over $parent to the object it reads, but still wants a verified caller', () => {
    expect(outcome('{ personal { statement { total } } }', caller())).toBe('ok');
    expect(outcome('{ personal { statement { total } } }')).toMatch(/^UNAUTHENTICATED: Statement.total/);
  });
});

describe('a @policy that cannot be judged is a start-up error', () => {
  const compile = (field: string) => () =>
    compileGraph({
      files: [{ name: 'p.graphql', body: `type Thing { owner: String } type Query { ${field} }` }],
      sources: { s: { naming: 'camelCase', forwardHeaders: [], maxPageSize: 100, pagination: undefined } },
    });

  it.each([
    [
      't(id: ID): Thing @policy(allow: "$jwt.sub == $args.di") @rest(source: "s", path: "/t")',
      'Query.t has no argument "di"',
    ],
    [
      't: Thing @policy(allow: "$jwt.sub == $parent.owner") @rest(source: "s", path: "/t")',
      'a root field has no $parent',
    ],
    [
      't: Thing @policy(allow: "$env.HOME == 1") @rest(source: "s", path: "/t")',
      '"$env" is not $jwt, $args or $parent',
    ],
    ['t: Thing @policy(allow: "$jwt.sub ==") @rest(source: "s", path: "/t")', 'Query.t @policy(allow):'],
    ['t: Thing @policy(allow: "$jwt.sub.length() * 2") @rest(source: "s", path: "/t")', 'the field is Boolean'],
  ])('%s', (field, message) => {
    expect(compile(field)).toThrow(message);
  });
});

describe('graftql check on who may read what', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graftql-access-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'graph.graphql'),
    'type Query { open: String @rest(source: "s", path: "/o") me: String @authenticated @rest(source: "s", path: "/me") }',
  );
  const check = (auth?: GatewayConfig['auth']) =>
    checkGraph(
      { schema: '.', sources: { s: { url: 'http://127.0.0.1:9' } }, ...(auth && { auth }) },
      { baseDir: dir, file: 'graftql.config.ts', env: {} },
    ).text;
  const jwt = { issuers: [{ issuer: 'https://i.test/', jwksUrl: 'https://i.test/jwks.json' }] };

  it('lists the root fields open to anyone when callers are identified', () => {
    expect(check({ jwt })).toContain(
      'Reachable without a token (give @authenticated, @requiresScopes or @policy to any that should not be): Query.open',
    );
    expect(check({ jwt, required: true })).toContain('Every operation needs a verified token (auth.required).');
  });

  it('warns of fields that say who may read them when the config identifies no caller', () => {
    expect(check()).toContain(
      '⚠ Query.me says who may read it, but the config has no auth: no caller can be verified, so it is always refused.',
    );
  });
});
