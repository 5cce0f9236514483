/**
 * Who is asking: the caller's `Authorization: Bearer` token, verified
 * (token-verifier.ts), as the pipeline's access step and the resolvers'
 * context see it. No token is an anonymous caller; a token that does not
 * verify refuses the request (401, UNAUTHENTICATED with the reason), since
 * a client that sent one meant to be someone.
 */
import { GraftError } from '../errors.ts';
import { type Identity, TokenRejected, type TokenVerifier } from './token-verifier.ts';

export interface Callers {
  /** The caller's identity, undefined when it sent no token; a promise only while a new token is verified. */
  identify(header: (name: string) => string | undefined): Identity | undefined | Promise<Identity | undefined>;
  /** Every operation needs a verified token. */
  readonly required: boolean;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function rejected(error: unknown): never {
  if (!(error instanceof TokenRejected)) throw error;
  throw new GraftError('UNAUTHENTICATED', `The token is not accepted: ${error.reason}.`, {
    facts: { reason: error.reason },
  });
}

export function createCallers(verifier: TokenVerifier, required: boolean): Callers {
  return {
    required,
    identify(header) {
      const authorization = header('authorization');
      if (authorization === undefined) {
        if (required)
          throw new GraftError('UNAUTHENTICATED', 'This endpoint needs a verified token (Authorization: Bearer …).', {
            facts: { reason: 'missing' },
          });
        return undefined;
      }
      const token = BEARER.exec(authorization)?.[1];
      if (!token)
        throw new GraftError('UNAUTHENTICATED', 'The Authorization header is not "Bearer <token>".', {
          facts: { reason: 'malformed' },
        });
      try {
        const verified = verifier.verify(token);
        return verified instanceof Promise ? verified.catch(rejected) : verified;
      } catch (error) {
        return rejected(error);
      }
    },
  };
}
