// Embeds GraftQL from CommonJS: require() it, serve a graph, query it, stop.
const { createGateway, listen, resolveConfig, notFound } = require('graftql');

async function main() {
  const { startUpstream } = await import('./upstream.mjs');
  const { queryAndCheck } = await import('./query.mjs');
  const upstream = await startUpstream();
  const env = { API_URL: upstream.url, PORT: '0' };
  const config = {
    sources: { api: { url: { env: 'API_URL' } } },
    resolvers: {
      Query: {
        secret: () => {
          throw notFound('The secret');
        },
      },
    },
  };
  const gateway = createGateway(config, { env, baseDir: __dirname });
  const running = await listen(gateway, resolveConfig(config, env));
  await queryAndCheck(`${running.url}/graphql`);
  await running.shutdown();
  upstream.close();
  console.log(`require ok on node ${process.version}`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
