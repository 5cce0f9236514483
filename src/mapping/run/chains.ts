/**
 * A @chain field: its steps run in order, each through the runner of the
 * Query field it names (so batched, shared and cached as that field is),
 * with `$prev` reading the record the step before answered. A step that
 * answers null ends the chain with null; a failing step fails the field;
 * the request's deadline stops it between steps, as it stops each call.
 */
import { evaluate } from '../../core/template.ts';
import { GraftError } from '../../errors.ts';
import type { ChainPlan } from '../plan.ts';
import { argumentDecoder } from './arguments.ts';
import { references } from './references.ts';
import type { Resolver, RunContext } from './run-context.ts';

export function chainResolver(run: RunContext, plan: ChainPlan): Resolver {
  const steps = plan.steps.map((step) => ({ runner: run.runnerOf(step.query), args: step.args }));
  const decode = argumentDecoder(plan.decoding);
  return async (parent, given, context, info) => {
    const args = decode ? decode(given) : given;
    let previous: unknown;
    for (const [index, step] of steps.entries()) {
      if (index > 0 && Date.now() >= context.deadlineAt)
        throw new GraftError(
          'GATEWAY_TIMEOUT',
          `The request's deadline passed before step ${index + 1} of ${plan.coordinate}.`,
          {
            retryable: true,
          },
        );
      // `$prev` reads the step before's record as `$result` reads a write's.
      const resolve = references(run.mappers, parent, args, context, previous);
      const stepArgs: Record<string, unknown> = {};
      for (const [name, template] of step.args) stepArgs[name] = evaluate(template, resolve);
      previous = await step.runner(undefined, stepArgs, context, info);
      if (previous === null || previous === undefined) return null;
    }
    return previous;
  };
}
