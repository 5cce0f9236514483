/** Prepared documents on their own: made once per text and kept, refusals included, in the order a client can act on. */
import { buildSchema, getOperationAST, specifiedRules } from 'graphql';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createCostModel } from '../../src/pipeline/cost-model.ts';
import { createDocumentPreparer } from '../../src/pipeline/prepared-documents.ts';

const schema = buildSchema(`
  type Query { items(first: Int, after: String): ItemConnection greet: String }
  type ItemConnection { edges: [ItemEdge] }
  type ItemEdge { cursor: String node: Item }
  type Item { id: ID name: String }
`);
const limits = { ...resolveConfig({ sources: {} }, {}).limits, maxCost: 50, maxDepth: 3 };
const preparer = () =>
  createDocumentPreparer({
    schema,
    costModel: createCostModel(),
    limits,
    rules: specifiedRules,
    hideSuggestions: true,
  });
/** The codes of refusals: GraftErrors carry `code`. */
const codes = (errors: readonly Error[] | undefined) =>
  (errors ?? []).map((error) => (error as Error & { code?: string }).code);

describe('createDocumentPreparer', () => {
  it('prepares a text once: the same object comes back, its uses counted', () => {
    const { prepare } = preparer();
    const first = prepare('{ greet }', undefined);
    const again = prepare('{ greet }', undefined);
    expect(again).toBe(first);
    expect(first.uses).toBe(2);
    expect(first.document).toBeDefined();
  });

  it('keeps a refusal too: a document over a limit is refused again without being parsed again', () => {
    const { prepare } = preparer();
    const deep = prepare('{ items { edges { node { id name } } } }', undefined);
    expect(deep.document).toBeUndefined();
    expect(codes(deep.refusal)).toEqual(['MAX_DEPTH_LIMIT']);
    expect(prepare('{ items { edges { node { id name } } } }', undefined)).toBe(deep);
  });

  it("refuses an estimate over the limit, and measures again with each request's variables", () => {
    const { prepare, measure, costLimit } = preparer();
    expect(codes(prepare('{ items(first: 51) { edges { cursor } } }', undefined).refusal)).toEqual([
      'COST_ESTIMATED_TOO_EXPENSIVE',
    ]);
    const withVariable = prepare('query ($n: Int) { items(first: $n) { edges { cursor } } }', undefined);
    const document = withVariable.document ?? expect.unreachable('a document');
    const operation = getOperationAST(document) ?? expect.unreachable('an operation');
    expect(codes(costLimit(measure(document, operation, { n: 10 })))).toEqual([]);
    expect(codes(costLimit(measure(document, operation, { n: 60 })))).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
  });
});
