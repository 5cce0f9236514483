/** The pipeline's execution, subscription and answer-body steps on their own, over a small schema and a context of the test's own. */
import { buildSchema, type ExecutionResult, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AnswerBodies } from '../../src/pipeline/answer-body.ts';
import { Executor } from '../../src/pipeline/execution.ts';
import { PipelineRequest } from '../../src/pipeline/pipeline-request.ts';
import { Subscriptions } from '../../src/pipeline/subscriptions.ts';
import type { RequestScope, Transport } from '../../src/pipeline/transport.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const logger = createLogger({ level: 'silent' } as never);
const transport = (connection?: unknown): Transport => ({
  method: 'POST',
  requestId: 'r1',
  clientAddress: '127.0.0.1',
  signal: new AbortController().signal,
  header: () => undefined,
  streams: true,
  connection,
});
const limits = {
  maxResponseObjects: 1_000,
  requestDeadlineMs: 5_000,
  maxSubscriptions: 2,
  maxSubscriptionsPerConnection: 1,
  upstreamCallsPerOperation: 10,
};

const schema = buildSchema('type Query { hello: String stale: String } type Subscription { ticks: Int }');
const fields = schema.getQueryType()?.getFields();
if (fields?.hello) fields.hello.resolve = () => 'world';
if (fields?.stale)
  fields.stale.resolve = (_root, _args, context: { ledger: PipelineRequest }) => {
    context.ledger.answered('accounts', { stale: { ageMs: 2_000, code: 'UPSTREAM_TIMEOUT' } });
    return 'old';
  };

/** Each execution's scope, as the gateway's context factory sees it. */
function recordingExecutor(served = schema) {
  const scopes: RequestScope[] = [];
  const executor = new Executor<{ ledger: PipelineRequest }>({
    schema: served,
    limits,
    jit: false,
    hideSuggestions: true,
    contextFor: (_transport, scope) => {
      scopes.push(scope);
      return { ledger: scope.ledger as PipelineRequest };
    },
  });
  return { executor, scopes };
}

describe('the execution step', () => {
  it('makes each execution its own deadline, released when it ends, and gives the context the request ledger', async () => {
    const { executor, scopes } = recordingExecutor();
    const record = new PipelineRequest(10);
    const result = await executor.execute(
      transport(),
      undefined,
      parse('{ hello }'),
      { query: '{ hello }' } as never,
      record,
    );
    expect(result).toEqual({ data: { hello: 'world' } });
    expect(scopes).toHaveLength(1);
    expect(scopes[0]?.ledger).toBe(record);
    expect(scopes[0]?.deadline.at).toBeGreaterThan(Date.now());
    // Released: the deadline's signal, made on first use, never fires after the execution.
    expect(scopes[0]?.deadline.signal.aborted).toBe(false);
  });

  it("reports the stale answers the request's ledger holds in extensions.stale", async () => {
    const { executor } = recordingExecutor();
    const result = await executor.execute(
      transport(),
      undefined,
      parse('{ stale }'),
      {} as never,
      new PipelineRequest(10),
    );
    expect(result.extensions?.stale).toEqual([{ source: 'accounts', ageSeconds: 2, reason: 'UPSTREAM_TIMEOUT' }]);
  });
});

describe('the answer-body step', () => {
  it('serialises a result once for all who share it, and refuses one over the byte limit with RESPONSE_TOO_LARGE', () => {
    const bodies = new AnswerBodies(64, logger);
    const result: ExecutionResult = { data: { hello: 'world' } };
    let writes = 0;
    const write = (value: object) => {
      writes += 1;
      return JSON.stringify(value);
    };
    expect(bodies.bounded(result, 'r1', true, write).body).toBe('{"data":{"hello":"world"}}');
    expect(bodies.bounded(result, 'r2', true, write).body).toBe('{"data":{"hello":"world"}}');
    expect(writes).toBe(1);
    const large = bodies.bounded({ data: { hello: 'x'.repeat(100) } }, 'r3', false);
    expect(large.result.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    expect(large.body.length).toBeLessThan(400);
  });
});

describe('the subscription step', () => {
  function subscriptions(events: number[]) {
    const tickSchema = buildSchema('type Query { hello: String } type Subscription { ticks: Int }');
    const ticks = tickSchema.getSubscriptionType()?.getFields().ticks;
    if (ticks) {
      ticks.subscribe = async function* () {
        yield* events;
      };
      ticks.resolve = (event: number) => event;
    }
    const { executor, scopes } = recordingExecutor(tickSchema);
    const step = new Subscriptions({
      schema: tickSchema,
      limits,
      executor: executor as never,
      answer: (result) => ({ result, body: JSON.stringify(result) }),
    });
    return { step, scopes };
  }

  it('executes each event as a request of its own: a fresh ledger and deadline per event', async () => {
    const { step, scopes } = subscriptions([1, 2]);
    const stream = await step.subscribe(transport(), parse('subscription { ticks }'), {} as never);
    if (!(Symbol.asyncIterator in stream)) throw new Error('no stream');
    const bodies: string[] = [];
    for await (const answer of stream) bodies.push(answer.body);
    expect(bodies).toEqual(['{"data":{"ticks":1}}', '{"data":{"ticks":2}}']);
    // The source stream's context, then one per event.
    expect(scopes).toHaveLength(3);
    expect(new Set(scopes.map((scope) => scope.ledger)).size).toBe(3);
  });

  it('refuses past maxSubscriptions and maxSubscriptionsPerConnection with TOO_MANY_SUBSCRIPTIONS, and frees a slot when a stream ends', async () => {
    const { step } = subscriptions([1]);
    const document = parse('subscription { ticks }');
    const first = await step.subscribe(transport('a'), document, {} as never);
    await expect(step.subscribe(transport('a'), document, {} as never)).rejects.toMatchObject({
      code: 'TOO_MANY_SUBSCRIPTIONS',
    });
    const second = await step.subscribe(transport('b'), document, {} as never);
    await expect(step.subscribe(transport('c'), document, {} as never)).rejects.toMatchObject({
      code: 'TOO_MANY_SUBSCRIPTIONS',
    });
    if (!(Symbol.asyncIterator in first) || !(Symbol.asyncIterator in second)) throw new Error('no stream');
    await first.return?.();
    await expect(step.subscribe(transport('c'), document, {} as never)).resolves.toBeDefined();
    await second.return?.();
  });
});
