/**
 * Who is asking: the caller's token, verified (token-verifier.ts), as the
 * pipeline's access step and the resolvers' context see it. The token comes
 * from `Authorization: Bearer`, or another header or a cookie the config
 * names; never from the URL, which proxies, browsers' histories and access
 * logs keep (RFC 6750 section 5.3): a request with `access_token` in its
 * query string is refused, whatever else it carries. No token is an
 * anonymous caller; a token that does not verify refuses the request (401,
 * UNAUTHENTICATED with the reason), since a client that sent one meant to
 * be someone.
 */
import { GraftError } from '../errors.ts';
import { type Identity, TokenRejected, type TokenVerifier } from './token-verifier.ts';

/** What a caller's request shows of itself to the access step. */
export interface CallerRequest {
  header(name: string): string | undefined;
  /** The request URL's query string, when the transport knows it. */
  query?: string;
}

/** Where callers put their token. */
export type TokenLocation = { header: string } | { cookie: string };

export interface Callers {
  /** The caller's identity, undefined when it sent no token; a promise only while a new token is verified. */
  identify(request: CallerRequest): Identity | undefined | Promise<Identity | undefined>;
  /** Every operation needs a verified token. */
  readonly required: boolean;
  /** The request header the token is read from (`cookie` for a cookie): what answers shared between callers are keyed by. */
  readonly tokenHeader: string;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const TOKEN_IN_URL = /(?:^|[?&])access_token=/;

function rejected(error: unknown): never {
  if (!(error instanceof TokenRejected)) throw error;
  throw new GraftError('UNAUTHENTICATED', `The token is not accepted: ${error.reason}.`, {
    facts: { reason: error.reason },
  });
}

function unauthenticated(reason: string, message: string): GraftError {
  return new GraftError('UNAUTHENTICATED', message, { facts: { reason } });
}

export function createCallers(
  verifier: TokenVerifier,
  required: boolean,
  location: TokenLocation = { header: 'authorization' },
): Callers {
  const read = tokenReader(location);
  return {
    required,
    tokenHeader: 'cookie' in location ? 'cookie' : location.header,
    identify(request) {
      if (request.query && TOKEN_IN_URL.test(request.query))
        throw unauthenticated(
          'token-in-url',
          'A token is never sent in the URL (logs and proxies keep it): send it in the Authorization header.',
        );
      const token = read(request.header);
      if (token === undefined) {
        if (required) throw unauthenticated('missing', `This endpoint needs a verified token (${describe(location)}).`);
        return undefined;
      }
      if (!token) throw unauthenticated('malformed', `The token is not in the expected form (${describe(location)}).`);
      try {
        const verified = verifier.verify(token);
        return verified instanceof Promise ? verified.catch(rejected) : verified;
      } catch (error) {
        return rejected(error);
      }
    },
  };
}

/** Reads the token: undefined when there is none, '' when there is something that is not a token. */
function tokenReader(location: TokenLocation): (header: CallerRequest['header']) => string | undefined {
  if ('cookie' in location) {
    const name = location.cookie;
    return (header) => {
      const cookies = header('cookie');
      if (cookies === undefined) return undefined;
      for (const pair of cookies.split(';')) {
        const at = pair.indexOf('=');
        if (at > 0 && pair.slice(0, at).trim() === name) {
          const value = pair.slice(at + 1).trim();
          return TOKEN.test(value) ? value : '';
        }
      }
      return undefined;
    };
  }
  const name = location.header;
  return (header) => {
    const value = header(name);
    if (value === undefined) return undefined;
    if (name === 'authorization') return BEARER.exec(value)?.[1] ?? '';
    // Another header may carry the token alone or after "Bearer ".
    const token = BEARER.exec(value)?.[1] ?? value.trim();
    return TOKEN.test(token) ? token : '';
  };
}

function describe(location: TokenLocation): string {
  if ('cookie' in location) return `the ${location.cookie} cookie`;
  return location.header === 'authorization' ? 'Authorization: Bearer …' : `the ${location.header} header`;
}
