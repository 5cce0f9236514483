import { defineConfig } from 'graftql';

export default defineConfig({
  sources: {
    api: { url: { env: 'PLACEHOLDER_URL' }, pagination: { style: 'PAGE', param: '_page', size: '_per_page', items: 'data', total: 'items' } },
  },
});
