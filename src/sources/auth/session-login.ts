/**
 * A source that wants a login first (older and internal REST APIs): the
 * credentials from the environment are sent to its login endpoint, as JSON
 * or a form, and what it answers (its cookies, or a token read from its
 * JSON body) is sent with every call after.
 *
 * Hand-written, as oauth2-client-credentials.ts is around oauth4webapi:
 * no library keeps a login session for an HTTP client. The rules are the
 * OAuth2 client's:
 * - one login in flight at a time, however many calls need one;
 * - a call answered with a status of `renewOn` (401, 419) logs in again
 *   (unless another call already did) and is tried once more;
 * - a session is used at most `maxAgeMs`, or until a cookie's `Max-Age`;
 * - a login that fails is not tried again before a backoff (doubling from
 *   `retryAfterFailureMs` to a minute): the calls in between fail at once
 *   with its error, never a storm of logins;
 * - the credentials and the session are secrets: scrubbed from logs and
 *   errors, never cached with an answer.
 */
import { type Dispatcher, fetch } from 'undici';
import type { AuthConfig } from '../../config/config-schema.ts';
import { read } from '../../core/dot-path.ts';
import { GraftError } from '../../errors.ts';
import { errorForTransport } from '../upstream-errors.ts';
import type { BaseUrl } from '../url.ts';
import type { OutgoingCredentials, SourceAuth } from './types.ts';

type LoginConfig = Extract<AuthConfig, { type: 'login' }>;

interface Session {
  /** The header the session goes in, and its value. */
  header: string;
  value: string;
  /** ms since epoch after which it is not used. */
  until: number;
}

export interface LoginOptions {
  source: string;
  base: BaseUrl;
  dispatcher: Dispatcher;
  timeoutMs: number;
  now?: () => number;
}

const MAX_BACKOFF_MS = 60_000;

export function sessionLogin(
  config: LoginConfig,
  { source, base, dispatcher, timeoutMs, now = Date.now }: LoginOptions,
): SourceAuth {
  const endpoint = `${base.origin}${base.prefix}${config.path}`;
  const fields = Object.fromEntries(
    Object.entries(config.fields).map(([name, value]) => [name, typeof value === 'string' ? value : value.reveal()]),
  );
  let session: Session | undefined;
  let inFlight: Promise<Session> | undefined;
  let failure: { error: Error; until: number; backoffMs: number } | undefined;

  const login = async (): Promise<Session> => {
    const body = config.encoding === 'form' ? new URLSearchParams(fields).toString() : JSON.stringify(fields);
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        dispatcher,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': config.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
          accept: 'application/json',
        },
        body,
      });
    } catch (error) {
      throw errorForTransport({ source }, error, 'connect');
    }
    // A login answered 2xx, or 3xx with its cookies (many form logins redirect).
    if (response.status >= 400 || response.status < 200) {
      await response.body?.cancel();
      throw loginFailed(source, response.status);
    }
    if ('cookies' in config.session) {
      const cookies = response.headers.getSetCookie().map(parseSetCookie);
      await response.body?.cancel();
      if (cookies.length === 0) throw noSession(source, 'a session cookie');
      const shortest = Math.min(...cookies.map((cookie) => cookie.maxAgeMs ?? config.maxAgeMs), config.maxAgeMs);
      return {
        header: 'cookie',
        value: cookies.map((cookie) => cookie.pair).join('; '),
        until: now() + shortest,
      };
    }
    const token = read(await response.json().catch(() => undefined), config.session.token.split('.'));
    if (typeof token !== 'string' || token === '') throw noSession(source, `a token at ${config.session.token}`);
    return {
      header: config.session.header.toLowerCase(),
      value: `${config.session.prefix}${token}`,
      until: now() + config.maxAgeMs,
    };
  };

  /** Single flight, and no new login before the backoff of a failed one ends. */
  const current = async (): Promise<Session> => {
    if (session && session.until > now()) return session;
    if (failure && failure.until > now()) throw failure.error;
    inFlight ??= login()
      .then(
        (fresh) => {
          failure = undefined;
          session = fresh;
          return fresh;
        },
        (error: Error) => {
          const backoffMs = Math.min(MAX_BACKOFF_MS, failure ? failure.backoffMs * 2 : config.retryAfterFailureMs);
          failure = { error, until: now() + backoffMs, backoffMs };
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const apply = async (outgoing: OutgoingCredentials) => {
    const { header, value } = await current();
    outgoing.headers[header] = value;
  };

  return {
    get secrets() {
      return [...Object.values(fields), ...(session ? [session.value] : [])];
    },
    apply,
    renewsOn: new Set(config.renewOn),
    renew: async (outgoing) => {
      // Another call may already have logged in again.
      if (session && outgoing.headers[session.header] === session.value) session = undefined;
      await apply(outgoing);
      return true;
    },
  };
}

function loginFailed(source: string, status: number): GraftError {
  return new GraftError(
    status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
    `${source} did not accept the gateway's login (HTTP ${status}).`,
    { source, status, retryable: status >= 500, facts: { reason: 'login-failed' } },
  );
}

function noSession(source: string, what: string): GraftError {
  return new GraftError('UPSTREAM_BAD_RESPONSE', `${source}'s login answered without ${what}.`, {
    source,
    facts: { reason: 'login-failed' },
  });
}

/** `name=value` of a Set-Cookie header, and its Max-Age (Expires is left to maxAgeMs: clocks differ). */
function parseSetCookie(header: string): { pair: string; maxAgeMs: number | undefined } {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const maxAge = attributes.find((attribute) => /^max-age=/i.test(attribute))?.split('=')[1];
  const seconds = maxAge === undefined ? Number.NaN : Number(maxAge);
  return { pair, maxAgeMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined };
}
