/**
 * Subscription fields declared with @event: `subscribe` opens the source's
 * event stream, filtered by the field's arguments; `resolve` turns each
 * event into the field's value, from the event itself or by a read through
 * a Query field (with the subscriber's own credentials, in the request
 * context the pipeline makes for each event).
 */
import type { GraphQLField, GraphQLResolveInfo } from 'graphql';
import { read } from '../../core/dot-path.ts';
import { evaluate, type Reference } from '../../core/template.ts';
import { GraftError } from '../../errors.ts';
import type { SourceEvent } from '../../events/event-hub.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { EventPlan } from '../plan.ts';
import { DriftError } from '../records.ts';

type Resolver = (
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
  info?: GraphQLResolveInfo,
) => unknown;

export interface EventFieldOptions {
  /** The field's argument decoder (global ids), when it has one. */
  decode: ((args: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** Maps the object in an event to the field's type. */
  mapValue: (raw: unknown, where: string) => unknown;
  /** The resolver of a Query field with @rest. */
  runnerOf(coordinate: string): Resolver;
}

export function eventField(
  plan: EventPlan,
  definition: GraphQLField<unknown, unknown>,
  { decode, mapValue, runnerOf }: EventFieldOptions,
): { subscribe: Resolver; resolve: Resolver } {
  const types = new Set(plan.types);
  const valuesOf = (event: unknown, args: Record<string, unknown>) => (reference: Reference) =>
    reference.scope === 'event'
      ? read(event, reference.path)
      : reference.scope === 'args'
        ? read(args[reference.path[0] ?? ''], reference.path.slice(1))
        : undefined;
  return {
    subscribe(_root, given, context) {
      const args = decode ? decode(given) : given;
      const wanted = plan.filter.flatMap(([name, template]) =>
        args[name] === null || args[name] === undefined ? [] : [{ template, value: String(args[name]) }],
      );
      const accepts =
        wanted.length === 0
          ? undefined
          : (event: SourceEvent) =>
              wanted.every(
                ({ template, value }) => String(evaluate(template, valuesOf(event.body, args)) ?? '') === value,
              );
      return context.events.subscribe({ source: plan.source, types, accepts });
    },

    resolve(event, given, context, info) {
      const { body } = event as SourceEvent;
      if (plan.fetch) {
        const args = decode ? decode(given) : given;
        const resolve = valuesOf(body, args);
        const fetchArgs = Object.fromEntries(
          plan.fetch.args.map(([name, template]) => [name, evaluate(template, resolve)]),
        );
        return runnerOf(plan.fetch.query)(undefined, fetchArgs, context, info);
      }
      try {
        return mapValue(read(body, plan.selection), `${definition.name}`);
      } catch (error) {
        if (error instanceof DriftError)
          throw new GraftError(
            'UPSTREAM_BAD_RESPONSE',
            `${plan.source} sent an event of an unexpected shape (${error.where}).`,
            { source: plan.source, cause: error },
          );
        throw error;
      }
    },
  };
}
