/** `@event`: a Subscription field fed by a source's webhook events. */
import { type ConstDirectiveNode, type GraphQLField, getNamedType } from 'graphql';
import { arg, dotPath, field, items, text } from '../directive-args.ts';
import type { EventPlan } from '../plan.ts';
import { argumentDecoding } from './arguments.ts';
import type { CompileContext, FieldContext } from './compile-context.ts';
import { queryCall } from './ref.ts';
import { templateMap } from './templates.ts';

export function compileEvent(
  compiler: CompileContext,
  coordinate: string,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
): void {
  const { sources, diagnostics, plans } = compiler;
  const sourceName = text(arg(node, 'source'));
  if (sourceName !== undefined && !sources[sourceName])
    diagnostics.report(
      arg(node, 'source')?.node,
      `${coordinate} @event(source): no source "${sourceName}" in the config (sources: ${Object.keys(sources).join(', ') || 'none'}).`,
    );
  const types = items(arg(node, 'types')).flatMap((item) => text(item) ?? []);
  if (types.length === 0)
    diagnostics.report(arg(node, 'types')?.node ?? node, `${coordinate} @event(types) names at least one event type.`);
  const context: FieldContext = {
    compiler,
    coordinate,
    definition,
    parent: undefined,
    returns: getNamedType(definition.type),
    source: undefined,
    sourceName: undefined,
    event: true,
  };
  const filter = templateMap(arg(node, 'filter'), `${coordinate} @event(filter)`, context);
  for (const [name] of filter) {
    if (!definition.args.some((argument) => argument.name === name))
      diagnostics.report(
        arg(node, 'filter')?.node,
        `${coordinate} @event(filter): ${coordinate} has no argument "${name}".`,
      );
  }
  const fetchArg = arg(node, 'fetch');
  const fetch = fetchArg
    ? queryCall(field(fetchArg, 'query'), field(fetchArg, 'args'), fetchArg.node, '@event(fetch', context)
    : undefined;
  if (sourceName === undefined || (fetchArg && !fetch)) return;
  const plan: EventPlan = {
    kind: 'event',
    coordinate,
    decoding: argumentDecoding(definition),
    source: sourceName,
    types,
    selection: dotPath(arg(node, 'selection')) ?? ['data'],
    filter,
    fetch: fetch && { query: fetch.query, args: fetch.args },
  };
  plans.set(coordinate, plan);
}
