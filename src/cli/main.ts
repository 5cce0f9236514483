/**
 * The `graftql` command. Exit codes: 0 done, 1 the config or the graph has
 * problems (each printed) or the gateway could not start, 2 a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  checkGraph,
  createLogger,
  GATEWAY_DIRECTIVES_SDL,
  type GatewayConfig,
  GraphError,
  printGraph,
} from '../index.ts';
import { importCommand } from './import-command.ts';
import { loadConfig } from './load-config.ts';
import { serve, workerCount } from './serve-command.ts';
import { restartWithStartupFlags, setServingFlags } from './serving-flags.ts';

const HELP = `Usage: graftql <command> [options]

Commands:
  serve        serve the graph of the config (alias: start)
  check        check the config and every mapping directive without serving
  schema       print the schema the gateway serves, generated types included
  directives   print GraftQL's directive definitions, for editors and codegen
  import openapi <file>...
               write SDL for the operations of OpenAPI 3.x / Swagger 2.0
               documents (JSON or YAML), with the relations across them;
               write the config with their sources when there is none
               (else print each source's), and a report

Options:
  -c, --config <file>   the config: .ts, .mts, .js, .mjs, .cjs or .json
                        (default: $GRAFTQL_CONFIG, else graftql.config.ts)
  -s, --schema <dir>    the folder of the graph's SDL files (default: the config's
                        "schema", read next to the config file)
  -p, --port <port>     serve: the port (default: $PORT, else the config's, else 4000)
      --host <host>     serve: the interface (default: $HOST, else the config's, else 127.0.0.1)
      --source <name>   import one document: the source's name (default: from the
                        file's name, or its folder's for openapi.json)
      --out <path>      import: the SDL file of one document (default:
                        schema/<source>.graphql); the folder for several (schema)
  -w, --workers <n>     serve: worker processes sharing the port, or auto (one per
                        core); default 1, this process
      --subgraph        serve, schema, check: the graph as an Apollo Federation 2
                        subgraph (server.federation)
      --watch           serve: reload the graph when the config file or a schema file
                        changes (SIGHUP reloads too); a graph that fails its checks
                        is refused and the running one keeps serving
      --example         serve: let the config start its bundled example services
                        (the repository's example graph does, for every source
                        whose URL variable is unset)
  -h, --help            this help
  -v, --version         GraftQL's version

Exit codes: 0 done, 1 the config or graph has problems or serving failed, 2 usage.
`;

class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return print(HELP);
  if (values.version) return print(`${version()}\n`);
  const [command = 'serve', ...extra] = positionals;
  if (command === 'import') {
    const [kind, ...files] = extra;
    if (kind !== 'openapi' || files.length === 0)
      throw new UsageError('Usage: graftql import openapi <file>... [--source <name>] [--out <path>]');
    if (values.source !== undefined && files.length > 1)
      throw new UsageError('--source names the source of one document; several are named after their files.');
    if (values.source !== undefined && !/^[a-z][a-zA-Z0-9]*$/.test(values.source))
      throw new UsageError(`--source: a camelCase source name, got ${JSON.stringify(values.source)}.`);
    return importCommand({ files, source: values.source, out: values.out, config: values.config }, (text) =>
      process.stdout.write(text),
    );
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const file = resolve(values.config ?? process.env.GRAFTQL_CONFIG ?? 'graftql.config.ts');
  const baseDir = dirname(file);
  const withOptions = (config: GatewayConfig): GatewayConfig => ({
    ...config,
    ...(values.schema && { schema: resolve(values.schema) }),
    server: {
      ...config.server,
      ...(values.port !== undefined && { port: port(values.port) }),
      ...(values.host && { host: values.host }),
      ...(values.subgraph && { federation: true }),
    },
  });

  switch (command) {
    case 'directives':
      return print(
        `# GraftQL's directives: keep this copy as schema/directives.graphql for editors and codegen.\n${GATEWAY_DIRECTIVES_SDL.trimStart()}`,
      );
    case 'schema':
      return print(`${printGraph(withOptions(await loadConfig(file)), baseDir)}\n`);
    case 'check': {
      const report = checkGraph(withOptions(await loadConfig(file)), { baseDir, file, env: process.env });
      process.stdout.write(report.text);
      return report.ok ? 0 : 1;
    }
    case 'serve':
    case 'start': {
      const workers = workerCount(values.workers);
      if (workers === undefined)
        throw new UsageError(`--workers: a number of processes, or auto, got ${JSON.stringify(values.workers)}.`);
      restartWithStartupFlags(); // before anything is loaded or printed: the process starts again
      setServingFlags(); // before the config loads: a TypeScript config's compiler grows the heap
      const config = withOptions(await loadConfig(file));
      await serve(config, {
        baseDir,
        example: values.example ?? false,
        workers,
        reloadConfig: async () => withOptions(await loadConfig(file, { fresh: true })),
        ...(values.watch && { watch: [file, resolve(baseDir, config.schema ?? 'schema')] }),
      });
      return -1; // keeps serving
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        schema: { type: 'string', short: 's' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        example: { type: 'boolean' },
        subgraph: { type: 'boolean' },
        watch: { type: 'boolean' },
        workers: { type: 'string', short: 'w' },
        source: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function port(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new UsageError(`--port: expected a port number 0..65535, got ${JSON.stringify(text)}.`);
  return Number(text);
}

/** The version in GraftQL's own package.json, found above this module (src/cli/ in the repository, dist/ installed). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'graftql' && manifest.version) return manifest.version;
  }
  return 'unknown';
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`graftql: ${error.message}\nRun graftql --help for usage.\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof ConfigError || error instanceof GraphError) process.stderr.write(`${error.message}\n`);
    else createLogger().fatal({ err: error }, 'GraftQL could not start');
    process.exitCode = 1;
    // A worker's channel to its primary would keep it running; the primary stops the gateway when it exits.
    if (process.send) process.exit();
  },
);
