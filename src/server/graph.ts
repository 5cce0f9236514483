import { resolve } from 'node:path';
import { z } from 'zod';
import { type GatewayConfig, type ResolvedConfig, sourceMapping } from '../config/config-schema.ts';
import { ConfigError } from '../config/resolve-config.ts';
import { type CompiledGraph, compileGraph } from '../mapping/graph.ts';
import { readSchemaFiles, type SdlFile } from '../mapping/sdl.ts';

/**
 * What a gateway serves: the SDL files of a graph (mapping directives and
 * all), and hand-written resolvers and per-request loaders for what the
 * directives cannot express.
 */
export interface Graph {
  files: readonly SdlFile[];
  /** By type and field; a field with a mapping directive cannot have one. */
  resolvers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Per-request loaders for hand-written resolvers (`context.loaders`), made from the request's sources. */
  loaders?: (sources: Readonly<Record<string, unknown>>) => unknown;
}

/** The graph a configuration names: the SDL files of `config.schema` (relative to `baseDir`), its resolvers and loaders. */
export function graphOf(
  config: Pick<ResolvedConfig, 'schema' | 'resolvers' | 'loaders'>,
  baseDir = process.cwd(),
): Graph {
  return {
    files: readSchemaFiles(resolve(baseDir, config.schema)),
    resolvers: config.resolvers,
    loaders: config.loaders,
  };
}

/**
 * Compiles the graph a configuration names without its environment (no
 * URL or secret is needed to check a graph): for `graftql check`, codegen
 * and editors.
 */
export function compileConfiguredGraph(input: GatewayConfig, baseDir = process.cwd()): CompiledGraph {
  const parsed = z.record(z.string(), sourceMapping).safeParse(input.sources);
  if (!parsed.success)
    throw new ConfigError(
      `Invalid GraftQL configuration:\n${parsed.error.issues.map((issue) => `  - sources.${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  return compileGraph({
    files: readSchemaFiles(resolve(baseDir, input.schema ?? 'schema')),
    sources: parsed.data,
    resolvers: input.resolvers,
    federation: input.server?.federation ?? false,
  });
}

/**
 * The schema a configuration's gateway serves, as SDL (generated connection types included): what codegen reads.
 * Served as a federation subgraph (`server.federation`): the subgraph SDL a supergraph composes (`_service { sdl }`).
 */
export function printGraph(input: GatewayConfig, baseDir = process.cwd()): string {
  const graph = compileConfiguredGraph(input, baseDir);
  return graph.subgraph?.sdl ?? graph.sdl;
}
