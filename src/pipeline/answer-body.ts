/**
 * The last step: an answer's body, bounded by `limits.maxResponseBytes`
 * (RESPONSE_TOO_LARGE past it), serialised once for every caller that
 * shares the result.
 */
import type { ExecutionResult, GraphQLError } from 'graphql';
import { GraftError } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import { refused, serialize } from './client-result.ts';

export interface PipelineAnswer {
  /** Masked, with HTTP hints on the errors of a refused request (client-result.ts). */
  result: ExecutionResult;
  /** The response body, already bounded by `limits.maxResponseBytes`. */
  body: string;
}

export class AnswerBodies {
  /** The body of a result without errors, serialised once for every caller that shares it. */
  readonly #bodies = new WeakMap<ExecutionResult, string>();

  constructor(
    private readonly maxResponseBytes: number,
    private readonly logger: Logger,
  ) {}

  /** The body, or RESPONSE_TOO_LARGE when it is over the limit; kept for the others when the execution was `shared`. */
  bounded(
    result: ExecutionResult,
    requestId: string,
    shared: boolean,
    write: (result: object) => string = serialize,
  ): PipelineAnswer {
    let body = this.#bodies.get(result);
    if (body !== undefined) return { result, body };
    body = write(result);
    if (body.length <= this.maxResponseBytes / 4 || Buffer.byteLength(body) <= this.maxResponseBytes) {
      if (!result.errors && shared) this.#bodies.set(result, body);
      return { result, body };
    }
    const tooLarge = new GraftError(
      'RESPONSE_TOO_LARGE',
      `The answer is larger than ${this.maxResponseBytes} bytes; ask for fewer or smaller connections.`,
      {
        facts: { limit: this.maxResponseBytes },
      },
    );
    const replaced = refused({ data: null, errors: [tooLarge as unknown as GraphQLError] }, requestId, this.logger);
    return { result: replaced, body: serialize(replaced) };
  }

  /** A result given again from the result cache has its body already. */
  remember(result: ExecutionResult, body: string): void {
    this.#bodies.set(result, body);
  }
}
