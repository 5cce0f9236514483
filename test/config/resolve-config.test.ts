import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/resolve-config.ts';

const source = {
  url: 'http://127.0.0.1:4001/api/',
  auth: { type: 'apiKey', in: 'header', name: 'X-API-Key', key: { env: 'KEY' } },
} as const;

describe('resolveConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = resolveConfig({ sources: { accounts: source } }, { KEY: 'k' });
    expect(config.server).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      production: false,
      graphiql: true,
      shutdownGraceMs: 10_000,
      dedupe: 'declared',
    });
    expect(config.cache).toEqual({ maxEntries: 10_000, maxBytes: 50 * 1024 * 1024, maxResultBytes: 8 * 1024 * 1024 });
    expect(config.sources.accounts).toMatchObject({
      url: { origin: 'http://127.0.0.1:4001', prefix: '/api' },
      optional: false,
      timeouts: { connectMs: 1_000, headersMs: 2_000, bodyMs: 2_000, attemptMs: 2_500 },
      maxResponseBytes: 10 * 1024 * 1024,
      maxJsonDepth: 64,
    });
    expect(Object.isFrozen(config.sources.accounts?.timeouts)).toBe(true);
  });

  it('takes PORT and HOST from the environment, and production from NODE_ENV', () => {
    const config = resolveConfig({ sources: {} }, { PORT: '8080', HOST: '0.0.0.0', NODE_ENV: 'production' });
    expect(config.server).toMatchObject({ port: 8080, host: '0.0.0.0', production: true, graphiql: false });
    // No operation name a client invents reaches the metrics in production.
    expect(config.observability.metrics.hashOperationNames).toBe(true);
    expect(resolveConfig({ sources: {} }, {}).observability.metrics.hashOperationNames).toBe(false);
  });

  it('names every bad path and what was expected', () => {
    let error: unknown;
    try {
      resolveConfig(
        {
          server: { dedupe: 'yes' },
          cache: { maxResultBytes: -1 },
          sources: {
            accounts: { ...source, url: 'http://user:pw@host/', timeouts: { connectMs: 0 } },
            Bad_Name: { url: 'http://x' },
          },
        } as never,
        {
          PORT: '70000',
        },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: expected a port number');
    expect(message).toContain(
      'sources.accounts.url: expected an http(s) base URL without query, fragment or credentials',
    );
    expect(message).toContain('sources.accounts.auth.key: environment variable KEY is not set');
    expect(message).toContain('sources.accounts.timeouts.connectMs');
    expect(message).toContain('sources.Bad_Name');
    expect(message).toContain("server.dedupe: expected true, false or 'declared'");
    expect(message).toContain('cache.maxResultBytes');
  });

  it('accepts a renamed key by its old name, moved to the new one with a warning naming it; both at once is an error', () => {
    const warnings: string[] = [];
    const given = { sources: {}, cache: { maxAnswerBytes: 1_024 } } as never;
    const config = resolveConfig(given, {}, (message) => warnings.push(message));
    expect(config.cache.maxResultBytes).toBe(1_024);
    expect(config.cache).not.toHaveProperty('maxAnswerBytes');
    expect(warnings).toEqual([
      'cache.maxAnswerBytes is deprecated: it is now cache.maxResultBytes (the old key still works, for now).',
    ]);
    // The caller's object is not changed.
    expect((given as { cache: object }).cache).toEqual({ maxAnswerBytes: 1_024 });
    expect(() => resolveConfig({ sources: {}, cache: { maxAnswerBytes: 1, maxResultBytes: 2 } } as never, {})).toThrow(
      /cache\.maxAnswerBytes: renamed cache\.maxResultBytes; give only cache\.maxResultBytes/,
    );
    resolveConfig({ sources: {}, cache: { maxResultBytes: 2 } }, {}, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
  });

  it('refuses what reads the verified caller when the config verifies no caller', () => {
    const env = { KEY: 'k' };
    expect(() =>
      resolveConfig({ limits: { clientRateLimit: { requestsPerSecond: 1, by: 'subject' } }, sources: {} }, env),
    ).toThrow(/limits\.clientRateLimit\.by: 'subject' needs callers' tokens verified/);
    expect(() =>
      resolveConfig({ sources: { accounts: { ...source, forwardCaller: { header: 'x-user', claim: 'sub' } } } }, env),
    ).toThrow(/sources\.accounts\.forwardCaller: forwards the verified caller/);
    const auth = { jwt: { issuers: [{ issuer: 'https://i.test/', jwksUrl: 'https://i.test/jwks.json' }] } };
    const config = resolveConfig(
      { auth, sources: { accounts: { ...source, forwardCaller: { header: 'x-user', claim: 'sub' } } } },
      env,
    );
    expect(config.auth).toMatchObject({
      tokenFrom: { header: 'authorization' },
      unauthorized: 'refuse',
      required: false,
    });
    expect(() => resolveConfig({ auth: { ...auth, tokenFrom: { cookie: 'a b' } }, sources: {} }, env)).toThrow(
      /auth\.tokenFrom/,
    );
  });

  it('refuses a secret written into the file instead of an env reference', () => {
    expect(() =>
      resolveConfig(
        { sources: { accounts: { ...source, auth: { ...source.auth, key: 'literal-secret' as never } } } },
        {},
      ),
    ).toThrow(/sources\.accounts\.auth\.key/);
  });

  it('keeps secrets out of JSON, string and inspect output', () => {
    const config = resolveConfig({ sources: { accounts: source } }, { KEY: 'canary-config-secret' });
    for (const text of [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      String(
        config.sources.accounts?.auth && 'key' in config.sources.accounts.auth ? config.sources.accounts.auth.key : '',
      ),
    ]) {
      expect(text).not.toContain('canary-config-secret');
    }
  });
});
