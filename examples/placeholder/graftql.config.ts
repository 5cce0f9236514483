import { defineConfig } from 'graftql';

const pages = { style: 'PAGE', param: '_page', size: '_per_page', items: 'data', total: 'items' } as const;

export default defineConfig({
  sources: { api: { url: { env: 'PLACEHOLDER_URL' }, pagination: pages } },
});
