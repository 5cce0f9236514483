/**
 * An issuer's signing keys from its JWKS URL, for jose to verify with.
 *
 * Hand-written around jose's `createLocalJWKSet` rather than its
 * `createRemoteJWKSet`, because the remote set throws once its cache is
 * past `cacheMaxAge` and the JWKS host is down (panva/jose discussion
 * #415): a gateway must keep verifying with the keys it has. Here:
 * - the keys are fetched on first use, then again in the background once
 *   older than `maxAgeMs`, while the keys in hand keep serving;
 * - a token naming a key id the set does not have fetches again at most
 *   once per `cooldownMs` (key rotation), every concurrent caller joining
 *   one fetch;
 * - a failed fetch keeps the keys in hand (logged once per failure) and is
 *   not tried again before the cooldown; with no keys at all, verification
 *   fails with `keys-unavailable`, never a hang (`timeoutMs`).
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { loadJose } from './jose.ts';

export interface KeyStoreOptions {
  url: string;
  /** @default 600_000 */
  maxAgeMs?: number;
  /** @default 30_000 */
  cooldownMs?: number;
  /** @default 5_000 */
  timeoutMs?: number;
  /** Largest JWKS document read. @default 256 KiB */
  maxBytes?: number;
  now?: () => number;
  onFetchError?: (error: Error) => void;
}

export class KeysUnavailable extends Error {}

export class KeyStore {
  #keys: { set: JWTVerifyGetKey; kids: ReadonlySet<string>; fetchedAt: number } | undefined;
  #fetching: Promise<void> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;

  constructor(private readonly options: KeyStoreOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** What jose's `jwtVerify` asks for a token's key. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = this.#now();
    const cooled = now - this.#lastAttemptAt >= (this.options.cooldownMs ?? 30_000);
    if (!this.#keys) await this.#refresh();
    else if (header.kid !== undefined && !this.#keys.kids.has(header.kid) && cooled) await this.#refresh();
    else if (now - this.#keys.fetchedAt >= (this.options.maxAgeMs ?? 600_000) && cooled) void this.#refresh();
    if (!this.#keys) throw new KeysUnavailable(`the keys at ${this.options.url} could not be fetched`);
    return this.#keys.set(header, token);
  };

  /** One fetch at a time; a failure keeps the keys in hand. */
  #refresh(): Promise<void> {
    this.#fetching ??= Promise.all([this.#fetch(), loadJose()])
      .then(
        ([jwks, { createLocalJWKSet }]) => {
          const kids = new Set(jwks.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])));
          this.#keys = { set: createLocalJWKSet(jwks), kids, fetchedAt: this.#now() };
        },
        (error: Error) => this.options.onFetchError?.(error),
      )
      .finally(() => {
        this.#fetching = undefined;
      });
    return this.#fetching;
  }

  async #fetch(): Promise<JSONWebKeySet> {
    this.#lastAttemptAt = this.#now();
    const response = await fetch(this.options.url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${this.options.url} answered ${response.status}`);
    }
    const maxBytes = this.options.maxBytes ?? 256 * 1024;
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body?.cancel();
      throw new Error(`${this.options.url} sent too large a JWKS`);
    }
    const text = await response.text();
    if (text.length > maxBytes) throw new Error(`${this.options.url} sent too large a JWKS`);
    const jwks = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys)) throw new Error(`${this.options.url} sent no "keys"`);
    return jwks;
  }
}
