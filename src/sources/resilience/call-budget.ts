/**
 * The upstream call budget of one GraphQL operation (after batching and
 * caching: only calls that leave the gateway count). Calls beyond it fail
 * with UPSTREAM_CALL_BUDGET_EXCEEDED on the fields that needed them, so one
 * fan-out query cannot flood the upstreams.
 */
import { GraftError } from '../../errors.ts';

export interface CallBudget {
  /** Counts one call, or throws when none are left. */
  spend(source: string): void;
  spent(): number;
}

export function createCallBudget(limit: number): CallBudget {
  let spent = 0;
  return {
    spend(source) {
      if (spent >= limit) {
        throw new GraftError('UPSTREAM_CALL_BUDGET_EXCEEDED', `This operation needs more than ${limit} upstream calls; ask for fewer or smaller connections.`, { source });
      }
      spent += 1;
    },
    spent: () => spent,
  };
}
