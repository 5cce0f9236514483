/**
 * What a graph's mappings cost in upstream calls, found statically:
 * - how each declared field calls its source: batched (one call per
 *   request per `max` parents) or once per parent (and per page);
 * - N+1 paths: a list whose items each resolve a field with no batch form,
 *   with the worst-case calls per request from the lists' largest pages;
 * - operation shapes whose worst case exceeds the call budget.
 * The pipeline's cost estimate uses the same per-field figures (cost-model.ts).
 */
import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../pagination/connection.ts';
import { connectionNodeType } from './connection-types.ts';
import type { FieldPlan, RestPlan } from './plan.ts';

export type FieldCalls =
  /**
   * All parents' keys in one call per `max`. With `firstPage`, a
   * connection's first page only (forward, under `pageSize`); other windows
   * are one call per parent and page, and so is `totalCount` where
   * `totalPerParent` (the batch form of an OFFSET or PAGE list has no totals).
   */
  | { kind: 'batched'; max: number; firstPage?: { pageSize: number; totalPerParent: boolean } }
  /** One call per parent; a connection one per page of `pageSize`. */
  | { kind: 'per-parent'; pageSize?: number }
  /** `@chain`: each step's calls, in order, for every parent. */
  | { kind: 'chain'; steps: readonly FieldCalls[] };

/** How a declared field calls its source (a `@ref` as the field it refers to). */
export function callsOf(plans: ReadonlyMap<string, FieldPlan>, coordinate: string): FieldCalls | undefined {
  let plan = plans.get(coordinate);
  if (plan?.kind === 'chain')
    return { kind: 'chain', steps: plan.steps.map((step) => callsOf(plans, step.query) ?? { kind: 'per-parent' }) };
  if (plan?.kind === 'ref') plan = plans.get(plan.query);
  if (plan?.kind !== 'rest') return undefined;
  if (plan.batch) return { kind: 'batched', max: plan.batch.max };
  // The first page of many parents in one call: the usual window; later pages are one call per parent and page.
  if (plan.paginate?.firstPage) {
    const { firstPage, pageSize, style } = plan.paginate;
    return {
      kind: 'batched',
      max: firstPage.max,
      firstPage: { pageSize, totalPerParent: style === 'OFFSET' || style === 'PAGE' },
    };
  }
  if (plan.paginate) return { kind: 'per-parent', pageSize: plan.paginate.pageSize };
  return { kind: 'per-parent' };
}

/** The source a declared field calls (a `@ref` through the field it refers to). */
function sourceOf(plans: ReadonlyMap<string, FieldPlan>, coordinate: string): string {
  let plan = plans.get(coordinate);
  // A chain's N+1 is in its steps without a batch form.
  if (plan?.kind === 'chain')
    return [
      ...new Set(
        plan.steps
          .filter((step) => callsOf(plans, step.query)?.kind !== 'batched')
          .map((step) => sourceOf(plans, step.query)),
      ),
    ].join(' and ');
  if (plan?.kind === 'ref') plan = plans.get(plan.query);
  return (plan as RestPlan | undefined)?.source ?? 'its source';
}

/** Calls a field makes for `parents` parents (and `pages` pages each, for a per-parent connection). */
function callsMade(calls: FieldCalls, parents: number, pages: number): number {
  switch (calls.kind) {
    case 'batched':
      return Math.ceil(parents / calls.max);
    case 'per-parent':
      return parents * pages;
    case 'chain':
      return calls.steps.reduce((sum, step) => sum + callsMade(step, parents, 1), 0);
  }
}

/** A field (or a step of its chain) calls once per parent: an N+1 under a list. */
function perParent(calls: FieldCalls): boolean {
  return calls.kind === 'per-parent' || (calls.kind === 'chain' && calls.steps.some(perParent));
}

export interface Finding {
  /** `Query.articles → Article.comments` */
  path: string;
  calls: number;
  message: string;
}

export interface CallReport {
  nPlusOne: Finding[];
  overBudget: Finding[];
}

/** Chains a report follows at most: enough for any graph a person writes, bounded for any graph at all. */
const MAX_STEPS = 100_000;

interface Options {
  /** Items assumed for a plain list. */
  defaultListSize: number;
  /** Upstream calls one operation may make. */
  budget: number;
  /** Field levels an operation may nest. */
  maxDepth: number;
}

/** One step of an operation shape: a field, how many times it runs, and what it cost so far. */
interface Step {
  type: GraphQLObjectType;
  path: string[];
  /** How many parents the next field runs for. */
  parents: number;
  calls: number;
  depth: number;
}

export function callReport(
  schema: GraphQLSchema,
  plans: ReadonlyMap<string, FieldPlan>,
  { defaultListSize, budget, maxDepth }: Options,
): CallReport {
  const nPlusOne = new Map<
    string,
    { field: string; under: Set<string>; calls: number; source: string; per: string; pages: boolean }
  >();
  const overBudget = new Map<string, Finding>();
  const query = schema.getQueryType();
  if (!query) return { nPlusOne: [], overBudget: [] };

  // Depth-first over chains of fields from Query; a chain stops when it revisits a field or reaches the depth limit.
  let visited = 0;
  const walk = (step: Step, seen: ReadonlySet<string>) => {
    for (const field of Object.values(step.type.getFields())) {
      const coordinate = `${step.type.name}.${field.name}`;
      if (seen.has(coordinate)) continue;
      const calls = callsOf(plans, coordinate);
      const size = listSize(field);
      const pages = calls?.kind === 'per-parent' && calls.pageSize ? Math.ceil(size / calls.pageSize) : 1;
      const made = calls === undefined ? 0 : callsMade(calls, step.parents, pages);
      const path = [...step.path, coordinate];
      if (calls && perParent(calls) && step.parents > 1) {
        const finding = nPlusOne.get(coordinate) ?? {
          field: coordinate,
          under: new Set<string>(),
          calls: 0,
          source: sourceOf(plans, coordinate),
          per: step.type.name,
          pages: pages > 1,
        };
        finding.under.add(step.path.at(-1) ?? 'Query');
        finding.calls = Math.max(finding.calls, made);
        nPlusOne.set(coordinate, finding);
      }
      const total = step.calls + made;
      if (total > budget) {
        // The shortest shape over the budget per field that crosses it.
        const known = overBudget.get(coordinate);
        if (!known || known.path.split(' → ').length > path.length)
          overBudget.set(coordinate, {
            path: path.join(' → '),
            calls: total,
            message: `${path.join(' → ')}: up to ${total} calls`,
          });
        continue;
      }
      const next = getNamedType(field.type);
      const nodeType = connectionNodeType(next) ?? next;
      // A union's or interface's records are of its members: each member's fields may be asked for.
      const types = isAbstractType(nodeType)
        ? schema.getPossibleTypes(nodeType)
        : isObjectType(nodeType)
          ? [nodeType]
          : [];
      for (const type of types) {
        if (step.depth + 1 >= maxDepth || ++visited > MAX_STEPS) break;
        walk(
          {
            type,
            path,
            parents: step.parents * (isList(field) ? size : 1),
            calls: total,
            depth: step.depth + (connectionNodeType(next) ? 3 : 1),
          },
          new Set([...seen, coordinate]),
        );
      }
    }
  };

  /** The largest list a field can return: a connection's largest page, a @listSize, or the default. */
  function listSize(field: GraphQLField<unknown, unknown>): number {
    if (connectionNodeType(getNamedType(field.type))) return MAX_PAGE_SIZE;
    const listSizeDirective = field.astNode?.directives?.find((directive) => directive.name.value === 'listSize');
    const assumed = listSizeDirective?.arguments?.find((argument) => argument.name.value === 'assumedSize')?.value;
    if (assumed?.kind === 'IntValue') return Number(assumed.value);
    return isListType(getNullableType(field.type)) ? defaultListSize : 1;
  }

  function isList(field: GraphQLField<unknown, unknown>): boolean {
    return isListType(getNullableType(field.type)) || connectionNodeType(getNamedType(field.type)) !== undefined;
  }

  walk({ type: query, path: [], parents: 1, calls: 0, depth: 0 }, new Set());
  const byCalls = (a: Finding, b: Finding) => b.calls - a.calls || a.path.localeCompare(b.path);
  const findings = [...nPlusOne.values()].map(({ field, under, calls, source, per, pages }) => ({
    path: field,
    calls,
    message: `${field}: one ${source} call per ${per}${pages ? ' and page' : ''}, up to ${calls} per request under ${[...under].sort().join(', ')} (no batch form)`,
  }));
  return { nPlusOne: findings.sort(byCalls), overBudget: [...overBudget.values()].sort(byCalls) };
}
