/**
 * `graftql check`: everything start-up would refuse, found without serving
 * (and without the URLs and secrets of the environment: unset variables
 * are listed, not refused), plus what the graph's mappings cost: N+1 paths
 * and operation shapes over the call budget.
 */
import { relative } from 'node:path';
import type { GatewayConfig } from '../config/config-schema.ts';
import { ConfigError, resolveConfig } from '../config/resolve-config.ts';
import { callReport } from '../mapping/calls.ts';
import { GraphError } from '../mapping/diagnostics.ts';
import type { CompiledGraph } from '../mapping/graph.ts';
import { compileConfiguredGraph } from './graph.ts';

export interface CheckReport {
  ok: boolean;
  text: string;
}

export interface CheckOptions {
  baseDir: string;
  /** The config file, as it is named in the report. */
  file: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Stands in for unset environment variables: a valid URL and a long enough secret. */
const PLACEHOLDER = 'http://unset.invalid/placeholder-for-an-unset-variable';

export function checkGraph(config: GatewayConfig, { baseDir, file, env }: CheckOptions): CheckReport {
  const lines: string[] = [];
  const name = relative(process.cwd(), file) || file;
  // Only the variables the config names stand in; PORT, NODE_ENV and the like are read as they are.
  const unset = referencedVariables(config).filter((variable) => !env[variable]);
  const lenient = { ...env, ...Object.fromEntries(unset.map((variable) => [variable, PLACEHOLDER])) };
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(config, lenient);
    const sources = Object.keys(resolved.sources);
    lines.push(`✓ ${name}: ${sources.length} source${sources.length === 1 ? '' : 's'} (${sources.join(', ')})`);
    if (unset.length > 0) lines.push(`  not set here (needed to serve): ${unset.join(', ')}`);
    if (resolved.server.production && resolved.server.cors.origins.includes('*'))
      lines.push(
        `⚠ server.cors.origins has '*' in production: a page on any site can read the answers (without credentials); list the origins that may.`,
      );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, text: `${error.message}\n` };
  }

  try {
    const graph = compileConfiguredGraph(config, baseDir);
    const fields = [...graph.plans.values()];
    lines.push(
      `✓ ${relative(process.cwd(), `${baseDir}/${config.schema ?? 'schema'}`) || '.'}: ${fields.filter((plan) => plan.kind === 'rest').length} fields with @rest, ${fields.filter((plan) => plan.kind === 'ref').length} with @ref${fields.some((plan) => plan.kind === 'chain') ? `, ${fields.filter((plan) => plan.kind === 'chain').length} with @chain` : ''}${fields.some((plan) => plan.kind === 'event') ? `, ${fields.filter((plan) => plan.kind === 'event').length} with @event` : ''}`,
    );
    if (graph.subgraph) {
      const entities = [...graph.subgraph.entities.keys()];
      lines.push(
        `✓ federation subgraph: composes; ${entities.length === 0 ? 'no entities' : `entities ${entities.join(', ')}`}`,
      );
    }
    const report = callReport(graph.full, graph.plans, {
      defaultListSize: resolved.limits.defaultListSize,
      budget: resolved.limits.upstreamCallsPerOperation,
      maxDepth: resolved.limits.maxDepth,
    });
    if (report.nPlusOne.length > 0) {
      lines.push(
        '',
        `N+1: fields called once per item of a list (worst case per request, at the lists' largest pages):`,
      );
      for (const finding of report.nPlusOne) lines.push(`  ${finding.message}`);
    }
    if (report.overBudget.length > 0) {
      lines.push(
        '',
        `Over the call budget of ${resolved.limits.upstreamCallsPerOperation} at the lists' largest pages (such operations are refused before any call, UPSTREAM_CALL_BUDGET_EXCEEDED; smaller pages fit):`,
      );
      for (const finding of report.overBudget) lines.push(`  ${finding.message}`);
    }
    lines.push(...accessReport(graph, resolved));
    return { ok: true, text: `${lines.join('\n')}\n` };
  } catch (error) {
    if (!(error instanceof GraphError) && !(error instanceof ConfigError)) throw error;
    return { ok: false, text: `${lines.join('\n')}\n${error.message}\n` };
  }
}

/** The environment variables a config names with `{ env: 'NAME' }`. */
function referencedVariables(value: unknown, found = new Set<string>()): string[] {
  if (Array.isArray(value)) for (const item of value) referencedVariables(item, found);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    if (typeof record.env === 'string' && Object.keys(record).length === 1) found.add(record.env);
    else for (const child of Object.values(record)) referencedVariables(child, found);
  }
  return [...found];
}

/**
 * What callers may reach: with callers identified, the root fields open to
 * anyone (so that none is open by mistake); without, the fields that say who
 * may read them, which nobody then can.
 */
function accessReport(graph: CompiledGraph, config: ReturnType<typeof resolveConfig>): string[] {
  const roots = [graph.schema.getQueryType(), graph.schema.getMutationType(), graph.schema.getSubscriptionType()];
  const rootFields = roots.flatMap((type) =>
    type ? Object.keys(type.getFields()).map((name) => `${type.name}.${name}`) : [],
  );
  if (!config.auth) {
    if (graph.access.size === 0) return [];
    return [
      '',
      `⚠ ${[...graph.access.keys()].join(', ')} ${graph.access.size === 1 ? 'says who may read it' : 'say who may read them'}, but the config has no auth: no caller can be verified, so ${graph.access.size === 1 ? 'it is' : 'they are'} always refused.`,
    ];
  }
  if (config.auth.required) return ['', 'Every operation needs a verified token (auth.required).'];
  const open = rootFields.filter((coordinate) => !graph.access.has(coordinate));
  if (open.length === 0) return [];
  return [
    '',
    `Reachable without a token (give @authenticated, @requiresScopes or @policy to any that should not be): ${open.join(', ')}`,
  ];
}
