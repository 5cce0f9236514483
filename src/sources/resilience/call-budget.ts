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
  return new Budget(limit);
}

/** A class: one is made for every request, and its methods need not be. */
class Budget implements CallBudget {
  #spent = 0;
  constructor(readonly limit: number) {}
  spend(source: string): void {
    if (this.#spent >= this.limit) {
      throw new GraftError('UPSTREAM_CALL_BUDGET_EXCEEDED', `This operation needs more than ${this.limit} upstream calls; ask for fewer or smaller connections.`, { source });
    }
    this.#spent += 1;
  }
  spent(): number {
    return this.#spent;
  }
}
