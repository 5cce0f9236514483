/**
 * The status page, rendered by a real browser (Debian's chromium, driven by
 * playwright-core) after traffic to every source, one of them failing.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import {
  codes,
  type TestGateway,
  type TestGatewayOptions,
  withGateway as withTestGateway,
} from '../helpers/gateway.ts';

let backends: Backends;
let browser: Browser;
beforeAll(async () => {
  backends = await startBackends();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser.close();
  await backends.close();
});

const withGateway = (options: TestGatewayOptions, run: (gateway: TestGateway) => Promise<void>) =>
  withTestGateway(backends, options, run);

describe('GET /status', () => {
  it('shows each source with live numbers: calls, failures, latency, breaker, rate limit, cache', () =>
    withGateway(
      {
        sources: {
          comments: {
            hedge: { enabled: false },
            retry: { maxAttempts: 1 },
            breaker: { minimumCalls: 2, failureRatio: 0.5, openMs: 60_000 },
          },
        },
      },
      async (gateway) => {
        const everything =
          '{ user(id: "User:1") { name weather { city } articles(first: 2) { edges { node { title comments(first: 2) { edges { node { body } } } } } } } }';
        expect((await gateway.query(everything)).body.errors).toBeUndefined();
        await gateway.query(everything); // cached answers
        backends.comments.inject({ fault: { kind: 'status', status: 500 } });
        for (const id of [3, 4, 5])
          await gateway.query(`{ article(id: "Article:${id}") { comments(first: 2) { edges { node { body } } } } }`);
        expect(
          codes(await gateway.query('{ article(id: "Article:6") { comments(first: 2) { edges { node { body } } } } }')),
        ).toContain('CIRCUIT_OPEN');

        const page = await browser.newPage();
        const response = await page.goto(`${gateway.url}/status`);
        expect(response?.status()).toBe(200);
        expect(await page.title()).toBe('GraftQL status');
        const cell = async (source: string, field: string) =>
          (await page.locator(`tr[data-source="${source}"] td[data-field="${field}"]`).textContent())?.trim() ?? '';

        expect(await page.locator('tr[data-source]').count()).toBe(4);
        for (const source of ['accounts', 'content', 'comments', 'weather']) {
          expect(Number(await cell(source, 'calls'))).toBeGreaterThan(0);
          expect(await cell(source, 'p50')).toMatch(/^\d+(\.\d)? ms$/);
          expect(await cell(source, 'p99')).toMatch(/^\d+(\.\d)? ms$/);
        }
        expect(await cell('comments', 'breaker')).toBe('open');
        expect(await cell('accounts', 'breaker')).toBe('closed');
        expect(await cell('comments', 'failed')).toMatch(/^[1-9]\d* \(\d+(\.\d)?%\)$/);
        expect(await cell('weather', 'failed')).toBe('0 (0%)');
        expect(await cell('weather', 'rate-limit')).toMatch(/^\d+ of 600, resets in \d+ s$/);
        expect(await cell('weather', 'cache')).toMatch(/^50% of 2$/);
        // Self-contained: no script, no request beyond the page itself.
        expect(await page.locator('script').count()).toBe(0);
        await page.close();
      },
    ));

  it('in production: not there without a token; with one, 401 unless the caller sends it', async () => {
    await withGateway({ server: { production: true } }, async (gateway) => {
      expect((await fetch(`${gateway.url}/status`)).status).toBe(404);
    });
    await withGateway(
      {
        server: { production: true },
        env: { STATUS_TOKEN: 'status-token-for-operators' },
        observability: { status: { token: { env: 'STATUS_TOKEN' } } },
      },
      async (gateway) => {
        expect((await fetch(`${gateway.url}/status`)).status).toBe(401);
        expect((await fetch(`${gateway.url}/status`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
        const allowed = await fetch(`${gateway.url}/status`, {
          headers: { authorization: 'Bearer status-token-for-operators' },
        });
        expect(allowed.status).toBe(200);
        expect(allowed.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(await allowed.text()).not.toContain('status-token-for-operators');
      },
    );
  });
});
