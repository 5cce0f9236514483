/**
 * OAuth2 client credentials (RFC 6749 §4.4) through oauth4webapi, which owns
 * the protocol (request shape, response validation). What it leaves to us, and
 * this file adds: caching the token until shortly before it expires, one
 * refresh in flight at a time however many requests need it, and renewal
 * after the resource server answers 401.
 *
 * oauth4webapi is an ES module only, loaded when the first token is needed:
 * the CommonJS build cannot require() it on Node before 20.19.
 */
import type * as OAuth from 'oauth4webapi';
import { type Dispatcher, fetch } from 'undici';
import type { AuthConfig } from '../../config/config-schema.ts';
import { errorForStatus, errorForTransport } from '../upstream-errors.ts';
import type { BaseUrl } from '../url.ts';
import type { SourceAuth } from './types.ts';

type OAuth2Config = Extract<AuthConfig, { type: 'oauth2ClientCredentials' }>;

interface CachedToken {
  value: string;
  /** ms since epoch after which the token is no longer used */
  refreshAt: number;
}

export interface OAuth2Options {
  source: string;
  base: BaseUrl;
  dispatcher: Dispatcher;
  timeoutMs: number;
  now?: () => number;
}

export function oauth2ClientCredentials(
  config: OAuth2Config,
  { source, base, dispatcher, timeoutMs, now = Date.now }: OAuth2Options,
): SourceAuth {
  const tokenEndpoint = `${base.origin}${base.prefix}${config.tokenPath}`;
  const server: OAuth.AuthorizationServer = { issuer: base.origin, token_endpoint: tokenEndpoint };
  const client: OAuth.Client = { client_id: config.clientId.reveal() };
  const parameters: Record<string, string> = config.scope ? { scope: config.scope } : {};

  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;

  const requestToken = async (): Promise<CachedToken> => {
    const oauth = await import('oauth4webapi');
    try {
      const clientAuth = oauth.ClientSecretBasic(config.clientSecret.reveal());
      const response = await oauth.clientCredentialsGrantRequest(server, client, clientAuth, parameters, {
        [oauth.customFetch]: (url, init) =>
          fetch(url, { ...init, dispatcher, redirect: 'manual' }) as unknown as Promise<Response>,
        [oauth.allowInsecureRequests]: base.origin.startsWith('http:'),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const token = await oauth.processClientCredentialsResponse(server, client, response);
      const lifetimeMs = (token.expires_in ?? 3600) * 1000;
      // Refresh early, but never so early that a short-lived token is refreshed on every call.
      const margin = Math.min(config.refreshBeforeExpiryMs, lifetimeMs / 2);
      return { value: token.access_token, refreshAt: now() + lifetimeMs - margin };
    } catch (error) {
      // The token endpoint answered with an error (e.g. 401 invalid_client), or could not be reached.
      const status =
        error instanceof oauth.ResponseBodyError || error instanceof oauth.WWWAuthenticateChallengeError
          ? error.status
          : undefined;
      throw status === undefined ? errorForTransport({ source }, error, 'connect') : errorForStatus({ source }, status);
    }
  };

  /** Single flight: every caller that needs a token while one is being fetched waits for that one. */
  const refresh = (): Promise<CachedToken> => {
    inFlight ??= requestToken()
      .then((token) => (cached = token))
      .finally(() => (inFlight = undefined));
    return inFlight;
  };

  const current = async (): Promise<string> => {
    if (cached && cached.refreshAt > now()) return cached.value;
    return (await refresh()).value;
  };

  return {
    secrets: [config.clientSecret.reveal()],
    apply: async (outgoing) => {
      outgoing.headers.authorization = `Bearer ${await current()}`;
    },
    renew: async (outgoing) => {
      const used = outgoing.headers.authorization?.slice('Bearer '.length);
      // Another request may already have replaced the rejected token.
      if (cached && cached.value === used) cached = undefined;
      outgoing.headers.authorization = `Bearer ${await current()}`;
      return true;
    },
  };
}
