/**
 * The caller's token, verified with jose: its issuer among the configured
 * ones, a signature by one of that issuer's keys with one of its allowed
 * algorithms (never `none`; only asymmetric ones, so no HS/RS confusion),
 * its audience, and `exp`/`nbf` within a bounded clock skew. A verified
 * token is kept (at most until it expires, in a cache bounded in bytes) so that a
 * caller's requests do not verify it again each time. A token that fails
 * says why, as one of a few stable reasons; the token itself is never
 * logged or put in an error.
 */
import { createPublicKey } from 'node:crypto';
import type { JWK, JWTPayload, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { loadJose } from './jose.ts';
import { KeyStore, KeysUnavailable } from './key-store.ts';

export type TokenProblem =
  | 'malformed'
  | 'no-expiry'
  | 'too-large'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'unknown-key'
  | 'keys-unavailable'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'bad-algorithm';

/** A caller whose token verified. */
export interface Identity {
  /** `sub` */
  subject: string | undefined;
  issuer: string;
  /** `scope` (space-separated) or `scp` (a list), as a set. */
  scopes: ReadonlySet<string>;
  claims: Readonly<JWTPayload>;
  /** The token itself, for a source that is sent it: not enumerable, so that no log or JSON of an identity holds it. */
  readonly token: string;
}

export class TokenRejected extends Error {
  constructor(readonly reason: TokenProblem) {
    super(`The token is not accepted (${reason}).`);
  }
}

export interface IssuerConfig {
  issuer: string;
  audience?: string | readonly string[];
  jwksUrl?: string;
  /** SPKI PEM public keys. */
  keys?: readonly string[];
  algorithms: readonly string[];
}

export interface VerifierOptions {
  issuers: readonly IssuerConfig[];
  clockSkewSeconds: number;
  /** Longest token read. */
  maxTokenBytes: number;
  now?: () => number;
  onKeysError?: (issuer: string, error: Error) => void;
}

export interface TokenVerifier {
  /** The token's identity: at once when it was verified before (and has not expired), else once verified; throws TokenRejected. */
  verify(token: string): Identity | Promise<Identity>;
}

/** Tokens kept verified at most this long, whatever their `exp`: a key the issuer withdrew stops working by then. */
const KEEP_MS = 5 * 60_000;
/** The verified tokens kept, at most: 16 MiB, some 10,000 tokens of a kilobyte with their claims. */
const KEPT_TOKEN_BYTES = 16 * 1024 * 1024;
/** What an identity's claims and scopes are reckoned to take beside its token. */
const IDENTITY_BYTES = 512;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const byIssuer = new Map(options.issuers.map((issuer) => [issuer.issuer, keysOf(issuer, options, now)]));
  // Keyed by the token itself, not a hash of it: a hash per request cost a tenth of a small query's time in the
  // benchmark, and the identity holds the token anyway (for forwardCaller). Bounded by count and by bytes.
  const verified = new LRUCache<string, Identity>({
    max: 10_000,
    maxSize: KEPT_TOKEN_BYTES,
    sizeCalculation: (_identity, token) => token.length + IDENTITY_BYTES,
    ttlAutopurge: false,
    perf: { now },
  });

  return {
    verify(token) {
      if (token.length > options.maxTokenBytes) throw new TokenRejected('too-large');
      const known = verified.get(token);
      if (known) return known;
      return loadJose().then(async ({ decodeJwt, jwtVerify }) => {
        let issuerName: string | undefined;
        try {
          issuerName = decodeJwt(token).iss;
        } catch {
          throw new TokenRejected('malformed');
        }
        const issuer = options.issuers.find((candidate) => candidate.issuer === issuerName);
        const keys = issuerName === undefined ? undefined : byIssuer.get(issuerName);
        if (!issuer || !keys) throw new TokenRejected('wrong-issuer');
        let payload: JWTPayload;
        try {
          ({ payload } = await jwtVerify(token, keys, {
            issuer: issuer.issuer,
            audience: issuer.audience as string | string[] | undefined,
            algorithms: [...issuer.algorithms],
            clockTolerance: options.clockSkewSeconds,
            currentDate: new Date(now()),
            // A token that never expires would stay valid after its holder should have lost it.
            requiredClaims: ['exp'],
          }));
        } catch (error) {
          throw new TokenRejected(reasonOf(error));
        }
        const identity = identityOf(payload, issuer.issuer, token);
        const untilExpiry = (payload.exp as number) * 1000 - now();
        if (untilExpiry > 0) verified.set(token, identity, { ttl: Math.min(KEEP_MS, untilExpiry) });
        return identity;
      });
    },
  };
}

function keysOf(issuer: IssuerConfig, options: VerifierOptions, now: () => number): JWTVerifyGetKey {
  if (issuer.jwksUrl)
    return new KeyStore({
      url: issuer.jwksUrl,
      now,
      onFetchError: (error) => options.onKeysError?.(issuer.issuer, error),
    }).getKey;
  // Public keys from the config, as a local key set: jose picks the ones that fit the token's algorithm.
  const keys = (issuer.keys ?? []).map((pem) => createPublicKey(pem).export({ format: 'jwk' }) as JWK);
  const set = loadJose().then(({ createLocalJWKSet }) => createLocalJWKSet({ keys }));
  // Awaited on the first token; until then a failure to load must not be an unhandled rejection.
  set.catch(() => {});
  return async (header, token) => (await set)(header, token);
}

function identityOf(payload: JWTPayload, issuer: string, token: string): Identity {
  const scope = payload.scope;
  const scp = payload.scp;
  const scopes = new Set<string>(
    typeof scope === 'string'
      ? scope.split(' ').filter(Boolean)
      : Array.isArray(scp)
        ? scp.filter((item): item is string => typeof item === 'string')
        : [],
  );
  const identity = { subject: payload.sub, issuer, scopes, claims: payload } as Omit<Identity, 'token'>;
  return Object.defineProperty(identity, 'token', { value: token, enumerable: false }) as Identity;
}

/** jose's error codes (stable across its versions) as the reasons a client is told. */
function reasonOf(error: unknown): TokenProblem {
  if (error instanceof KeysUnavailable) return 'keys-unavailable';
  const { code, claim } = (error ?? {}) as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf'
        ? 'not-yet-valid'
        : claim === 'iss'
          ? 'wrong-issuer'
          : claim === 'aud'
            ? 'wrong-audience'
            : claim === 'exp'
              ? 'no-expiry'
              : 'malformed';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad-signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown-key';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'bad-algorithm';
    default:
      return 'malformed';
  }
}
