/**
 * What the README promises a person on `npm start`: two GraphiQL tabs, a
 * subscription in one, a mutation in the other, and the first tab shows the
 * change. In a real browser (Debian's chromium), against a real gateway whose
 * example services send their webhooks to it.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway | undefined;
let browser: Browser;
beforeAll(async () => {
  backends = await startBackends({ webhookTargets: { content: () => gateway && `${gateway.url}/webhooks/content` } });
  gateway = await startGateway(backends);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser.close();
  await gateway?.close();
  await backends.close();
});

describe('GraphiQL', () => {
  it('shows in one tab the change a mutation in another tab made', { timeout: 60_000 }, async () => {
    const url = (gateway as TestGateway).url;
    const context = await browser.newContext();
    const open = async (query: string) => {
      const page = await context.newPage();
      await page.goto(`${url}/graphql?query=${encodeURIComponent(query)}`);
      await page.locator('.graphiql-execute-button').click();
      return page;
    };
    const watching = await open('subscription { articleUpdated(id: "Article:5") { title author { name } } }');
    await until(() => (gateway as TestGateway).subscriptions() === 1, 'the subscription is open', 15_000);
    const editing = await open(
      'mutation { updateArticle(id: "Article:5", patch: { title: "Live from the other tab" }) { title } }',
    );
    await editing.locator('.result-window', { hasText: 'updateArticle' }).waitFor();
    await watching.locator('.result-window', { hasText: 'Live from the other tab' }).waitFor({ timeout: 10_000 });
    expect(await watching.locator('.result-window').textContent()).toContain('"articleUpdated"');
    await context.close();
  });
});
