/**
 * Prepared documents: the steps that depend only on a document's text,
 * run once per document and kept in a bounded cache, refusals included, so
 * that a hot document costs a map lookup and an abusive one repeated costs
 * the same: bracket nesting, parse (token limit), document limits
 * (directives, depth, aliases, root fields), argument ranges and the cost
 * estimate (objects, upstream calls after batching), then validation. A
 * document whose estimate reads variables is measured again per request
 * (`costLimit(measure(...))`).
 */
import {
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  type ValidationRule,
  validate,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { ResolvedConfig } from '../config/config-schema.ts';
import { GraftError } from '../errors.ts';
import { pageSizeRefusal } from '../pagination/connection.ts';
import type { RequestTrace } from '../telemetry/trace.ts';
import { type ArgumentCheck, argumentCheck } from './argument-bounds.ts';
import type { CostModel } from './cost-model.ts';
import { countDirectives, measureOperation, type OperationMetrics } from './document-analysis.ts';
import { exceedsNesting } from './document-nesting.ts';

export interface Prepared {
  document?: DocumentNode;
  /** Why it cannot run, whatever the variables. */
  refusal?: readonly Error[];
  metrics?: Map<OperationDefinitionNode, OperationMetrics>;
  check?: ArgumentCheck;
  uses: number;
  /** What keeping it costs, estimated (see estimatedBytes). */
  bytes: number;
}

/**
 * The parsed-document cache is bounded by memory, estimated: a parsed
 * document keeps every token (graphql-js links them from each node's
 * location), measured at 370–510 bytes a token with its nodes, about 90 times
 * its text; bounding by text length would let 10 MiB of text hold ~900 MB.
 */
const DOCUMENT_CACHE_BYTES = 64 * 1024 * 1024;
const BYTES_PER_TOKEN = 600;
/** Bracket nesting allowed beyond `maxDepth` before parsing, for arguments' lists and input objects. */
const NESTING_ALLOWANCE = 64;

export interface DocumentPreparerOptions {
  schema: GraphQLSchema;
  costModel: CostModel;
  limits: ResolvedConfig['limits'];
  rules: readonly ValidationRule[];
  hideSuggestions: boolean;
}

export interface DocumentPreparer {
  /** The document prepared from `text`: from the cache, or made now (its parse and validation traced). Counts a use. */
  prepare(text: string, trace: RequestTrace | undefined): Prepared;
  /** The operation measured with these variables (for an estimate that reads them). */
  measure(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
  ): OperationMetrics;
  /** Arguments out of their bounds first (the most specific refusal), then the estimates they would inflate. */
  costLimit(metrics: OperationMetrics): GraftError[];
}

export function createDocumentPreparer({
  schema,
  costModel,
  limits,
  rules,
  hideSuggestions,
}: DocumentPreparerOptions): DocumentPreparer {
  const documents = new LRUCache<string, Prepared>({
    max: 1_000,
    maxSize: DOCUMENT_CACHE_BYTES,
    sizeCalculation: (prepared) => prepared.bytes,
  });
  const validationOptions = { hideSuggestions };
  const measure = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
  ) => measureOperation(schema, document, operation, { costModel, defaultListSize: limits.defaultListSize, variables });

  function prepare(text: string, trace: RequestTrace | undefined): Prepared {
    let prepared = documents.get(text);
    if (!prepared) {
      documents.set(text, (prepared = prepareUncached(text, trace)));
    }
    prepared.uses += 1;
    return prepared;
  }

  function prepareUncached(text: string, trace: RequestTrace | undefined): Prepared {
    const step = <T>(name: 'graphql.parse' | 'graphql.validate', run: () => T): T =>
      trace ? trace.step(name, run) : run();
    const nesting = limits.maxDepth + NESTING_ALLOWANCE;
    if (exceedsNesting(text, nesting)) {
      return {
        refusal: [
          new GraftError(
            'MAX_DEPTH_LIMIT',
            `The document nests brackets more than ${nesting} deep; at most ${limits.maxDepth} field levels are allowed.`,
            { facts: { limit: limits.maxDepth } },
          ),
        ],
        uses: 0,
        bytes: estimatedBytes(text),
      };
    }
    let document: DocumentNode;
    try {
      document = step('graphql.parse', () => parse(text, { maxTokens: limits.maxTokens }));
    } catch (error) {
      return { refusal: [error as Error], uses: 0, bytes: estimatedBytes(text) };
    }
    return step('graphql.validate', () => checked(text, document));
  }

  /** The document limits, the cost estimate and validation, for a document that parsed. */
  function checked(text: string, document: DocumentNode): Prepared {
    const directives = countDirectives(document);
    const problems: GraftError[] = [];
    if (directives > limits.maxDirectives)
      problems.push(
        overLimit(
          'MAX_DIRECTIVES_LIMIT',
          `The document uses ${directives} directives; at most ${limits.maxDirectives} are allowed.`,
          directives,
          limits.maxDirectives,
        ),
      );
    const metrics = new Map<OperationDefinitionNode, OperationMetrics>();
    for (const definition of document.definitions) {
      if (definition.kind !== 'OperationDefinition') continue;
      const measured = measure(document, definition);
      metrics.set(definition, measured);
      problems.push(
        ...documentLimits(measured, limits),
        ...(measured.readsVariables ? [] : costLimit(measured, limits)),
      );
    }
    if (problems.length > 0) return { refusal: problems, uses: 0, bytes: estimatedBytes(text) };
    const errors = validate(schema, document, rules, validationOptions);
    // Validation errors point at their nodes, and so keep the document.
    if (errors.length > 0) return { refusal: errors, uses: 0, bytes: estimatedBytes(text, document) };
    return {
      document,
      metrics,
      check: argumentCheck(schema, document, limits),
      uses: 0,
      bytes: estimatedBytes(text, document),
    };
  }

  return { prepare, measure, costLimit: (metrics) => costLimit(metrics, limits) };
}

type PreparerLimits = DocumentPreparerOptions['limits'];

/** The operation's depth, aliases and root fields, each against its limit. */
function documentLimits({ depth, aliases, rootFields }: OperationMetrics, limits: PreparerLimits): GraftError[] {
  const problems: GraftError[] = [];
  if (depth > limits.maxDepth)
    problems.push(
      overLimit(
        'MAX_DEPTH_LIMIT',
        `The operation nests ${depth} levels deep; at most ${limits.maxDepth} are allowed.`,
        depth,
        limits.maxDepth,
      ),
    );
  if (aliases > limits.maxAliases)
    problems.push(
      overLimit(
        'MAX_ALIASES_LIMIT',
        `The operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed.`,
        aliases,
        limits.maxAliases,
      ),
    );
  if (rootFields > limits.maxRootFields)
    problems.push(
      overLimit(
        'MAX_ROOT_FIELDS_LIMIT',
        `The operation asks for ${rootFields} root fields; at most ${limits.maxRootFields} are allowed.`,
        rootFields,
        limits.maxRootFields,
      ),
    );
  return problems;
}

/** Arguments out of their bounds first (the most specific refusal), then the estimates they would inflate. */
function costLimit({ cost, calls, outOfRange }: OperationMetrics, limits: PreparerLimits): GraftError[] {
  if (outOfRange) return [pageSizeRefusal(outOfRange.argument, outOfRange.value, outOfRange.max)];
  const problems: GraftError[] = [];
  if (cost > limits.maxCost) {
    const estimate = Math.min(cost, Number.MAX_SAFE_INTEGER);
    problems.push(
      new GraftError(
        'COST_ESTIMATED_TOO_EXPENSIVE',
        `The operation could produce about ${estimate} objects; at most ${limits.maxCost} are allowed. Ask for smaller pages or fewer nested connections.`,
        { facts: { estimate, limit: limits.maxCost } },
      ),
    );
  }
  if (calls > limits.upstreamCallsPerOperation) {
    const estimate = Math.min(calls, Number.MAX_SAFE_INTEGER);
    problems.push(
      new GraftError(
        'UPSTREAM_CALL_BUDGET_EXCEEDED',
        `The operation could need ${estimate} upstream calls after batching; at most ${limits.upstreamCallsPerOperation} are allowed. Ask for smaller pages or fewer nested lists.`,
        {
          facts: { estimate, limit: limits.upstreamCallsPerOperation },
        },
      ),
    );
  }
  return problems;
}

function overLimit(
  code: 'MAX_DEPTH_LIMIT' | 'MAX_ALIASES_LIMIT' | 'MAX_ROOT_FIELDS_LIMIT' | 'MAX_DIRECTIVES_LIMIT',
  message: string,
  found: number,
  limit: number,
): GraftError {
  return new GraftError(code, message, { facts: { found: Math.min(found, Number.MAX_SAFE_INTEGER), limit } });
}

/** The text, plus what its parsed form keeps when there is one (see DOCUMENT_CACHE_BYTES). */
function estimatedBytes(text: string, document?: DocumentNode): number {
  let tokens = 0;
  for (let token = document?.loc?.startToken ?? null; token; token = token.next) tokens += 1;
  return Math.max(1, text.length + tokens * BYTES_PER_TOKEN);
}
