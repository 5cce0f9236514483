// Embeds GraftQL in a plain ES module: import, serve a graph, query it, stop.
import { createGateway, listen, resolveConfig } from 'graftql';
import config from './graftql.config.mjs';
import { queryAndCheck } from './query.mjs';
import { startUpstream } from './upstream.mjs';

const upstream = await startUpstream();
const env = { API_URL: upstream.url, PORT: '0' };
const gateway = createGateway(config, { env, baseDir: import.meta.dirname ?? new URL('.', import.meta.url).pathname });
const running = await listen(gateway, resolveConfig(config, env));
await queryAndCheck(`${running.url}/graphql`);
await running.shutdown();
upstream.close();
console.log(`import ok on node ${process.version}`);
