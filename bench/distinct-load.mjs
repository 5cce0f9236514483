// autocannon with another `id` in each request's variables, for q4 (bench/run.ts).
// Its own `--idReplacement` sends the body with the Content-Length of the
// template, so servers wait for bytes that never come (mcollina/autocannon#539):
// here each body is made whole by setupRequest. Prints autocannon's result as --json does.
import autocannon from 'autocannon';

const [connections, seconds, body, headers, url] = process.argv.slice(2);
const template = JSON.parse(body);
let next = 0;
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      method: 'POST',
      headers: { ...JSON.parse(headers), 'content-type': 'application/json' },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ ...template, variables: { ...template.variables, id: String(next++) } }),
      }),
    },
  ],
});
process.stdout.write(JSON.stringify(result));
