/**
 * `graftql import openapi`: from an OpenAPI 3.0 / 3.1 (or Swagger 2.0)
 * document to the SDL a person would write, with the mapping directives,
 * a `graftql.config.ts` stub for the source, and a report of what was
 * mapped, skipped and guessed.
 *
 * The document is read, its `$ref`s bundled (local and across files) and
 * validated by @readme/openapi-parser (the maintained fork of
 * swagger-parser: Swagger 2.0, OpenAPI 3.0 and 3.1, YAML or JSON, circular
 * references reported rather than followed).
 */
import { statSync } from 'node:fs';
import { bundle, compileErrors, validate } from '@readme/openapi-parser';
import { configStub } from './config-stub.ts';
import { descriptionLine } from './description-line.ts';
import type { OpenApiDocument, Operation, Parameter, Schema } from './document.ts';
import { GENERATED_HEADER } from './generated-header.ts';
import type { ImportReport } from './import-report.ts';
import { camelCase, constantCase, pascalCase, singular, uniqueNames, words } from './names.ts';
import { pagingOf } from './paging.ts';
import { type GeneratedGraph, type GeneratedRead, type LinkObject, relate } from './relations.ts';
import { fromSwagger2 } from './swagger2.ts';

export interface ImportOptions {
  /** The source name in the config and in `@rest(source:)`. */
  source: string;
  /** Names the other documents of the same import use: a clash is qualified with the source's name (`WeatherError`). */
  taken?: TakenNames;
}

/** The type and root field names an import's documents have used so far. */
export interface TakenNames {
  types: Set<string>;
  query: Set<string>;
  mutation: Set<string>;
}

export type { OpenApiDocument } from './document.ts';
export type { ImportReport } from './import-report.ts';

export interface ImportResult {
  sdl: string;
  /** A `sources.<name>` entry for graftql.config.ts. */
  config: string;
  report: ImportReport;
  /** What relations to this and other documents are made from (relations.ts). */
  graph: GeneratedGraph;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** The largest document read: GitHub's REST description, among the largest published, is 13 MB; parsing one of hundreds would take minutes and gigabytes. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** A local file over MAX_DOCUMENT_BYTES is refused before a byte of it is parsed. */
function refuseHuge(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // A URL, or a file that is not there: the parser says so.
  }
  if (size > MAX_DOCUMENT_BYTES)
    throw new ImportError(`${file} is ${(size / 1024 / 1024).toFixed(0)} MB; the import reads documents up to ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB (split it, or import the parts you need).`);
}
const WRITE_VERBS: Record<string, string> = { post: 'create', put: 'replace', patch: 'update', delete: 'delete' };
/** Reads, bundles and validates a document (a path, or an object already parsed); a broken one throws ImportError naming where. */
export async function loadOpenApi(input: string | object): Promise<OpenApiDocument> {
  if (typeof input === 'string') refuseHuge(input);
  let api: OpenApiDocument;
  try {
    api = (await bundle(typeof input === 'string' ? input : structuredClone(input as never))) as unknown as OpenApiDocument;
  } catch (error) {
    throw new ImportError(`The document cannot be read: ${(error as Error).message}`);
  }
  const verdict = await validate(structuredClone(api) as never);
  if (!verdict.valid) throw new ImportError(`The document is not valid ${verdict.specification ?? 'OpenAPI'}:\n${compileErrors(verdict)}`);
  return api.swagger ? fromSwagger2(api) : api;
}

/** One document: its relations (links, `x-graftql-ref`, `xId` fields) resolved within it. */
export async function importOpenApi(input: string | object, options: ImportOptions): Promise<ImportResult> {
  const [result] = await importOpenApis([{ input, source: options.source }]);
  return result as ImportResult;
}

/**
 * Several documents as one graph: names kept unique across them, and
 * relations made across them (an OpenAPI link to another document's
 * operation, an `x-graftql-ref` or an `authorId` whose type another
 * document reads by id). Each result is its own document's file.
 */
export async function importOpenApis(inputs: ReadonlyArray<{ input: string | object; source: string }>): Promise<ImportResult[]> {
  const taken: TakenNames = { types: new Set(), query: new Set(), mutation: new Set() };
  const results: ImportResult[] = [];
  for (const { input, source } of inputs) results.push(generate(await loadOpenApi(input), { source, taken }));
  const added = relate(results.map((result) => result.graph));
  return results.map((result, i) => {
    const { sdl, report } = added[i] ?? { sdl: '', report: { relations: [], guesses: [] } };
    return {
      ...result,
      sdl: sdl ? `${result.sdl}\n${sdl}` : result.sdl,
      report: { ...result.report, relations: report.relations, guesses: [...result.report.guesses, ...report.guesses] },
    };
  });
}

/** The SDL, config stub and report for a loaded document. */
export function generate(api: OpenApiDocument, { source, taken = { types: new Set(), query: new Set(), mutation: new Set() } }: ImportOptions): ImportResult {
  const report: ImportReport = { mapped: [], skipped: [], guesses: [], relations: [] };
  const schemas = api.components?.schemas ?? {};
  const snake = countSnake(schemas) > 0;
  const types = new Map<string, string[]>();
  const enums = new Map<string, string[]>();
  const inputs = new Map<string, string[]>();
  const typeNames = uniqueNames(taken.types, (name) => pascalCase(`${source} ${name}`));
  /** Free-form objects (no properties) are the JSON scalar, declared once when used. */
  let usesJson = false;
  const schemaTypes = new Map<string, string>();
  for (const name of Object.keys(schemas)) schemaTypes.set(name, typeNames(pascalCase(name)));
  const queryFields: string[] = [];
  const mutationFields: string[] = [];
  /** Root field names this document takes, made known to the documents after it once it is done (not before: a second `user` here is `user2`, not qualified). */
  const rootNames = { query: new Set<string>(), mutation: new Set<string>() };
  const rootName = (kind: 'query' | 'mutation') => {
    const unique = uniqueNames(taken[kind], (name) => camelCase(`${source} ${name}`));
    return (name: string) => {
      const chosen = unique(name);
      rootNames[kind].add(chosen);
      return chosen;
    };
  };
  const fieldNames = { query: rootName('query'), mutation: rootName('mutation') };
  /** What relations are built from (relations.ts): the reads generated, each type's fields, links and ids to follow. */
  const graph: GeneratedGraph = { source, title: api.info?.title, reads: new Map(), operationIds: new Map(), fetchers: new Map(), fields: new Map(), related: new Map(), links: [], references: [] };
  /** Types with a read by id: `@node(fetch:)` and relations point there. */
  const byId = new Map<string, string>();
  /** The Query field that reads each type by id, as generated (`@node(fetch:)`, `@ref`). */
  const fetchers = new Map<string, string>();
  /** Fields added to object types: nested collections, and references by id. */
  const relations: Array<{ owner: string; name: string; field: string }> = [];
  /** `/articles/{id}/attachments` → Article, when this document reads Articles by id at `/articles/{id}`. */
  const nestedOwner = (path: string): string | undefined => {
    const match = /^(.*)\/\{[^}]+\}\/[A-Za-z][^/{]*$/.exec(path);
    if (!match) return undefined;
    const ownerPath = `${match[1]}/{`;
    const reads = operations.find(({ path: other, method }) => method === 'get' && other.startsWith(ownerPath) && /^[^/]*\}$/.test(other.slice(ownerPath.length)));
    const answer = reads && successSchema(reads.operation);
    const owner = answer?.kind === 'json' ? refName(answer.schema) : undefined;
    return owner && byId.has(owner) && types.get(owner)?.some((field) => /^\s*id: /m.test(field)) ? owner : undefined;
  };
  /** The one array property of an answer that holds only it (`{ data: [...] }`). */
  const onlyArray = (schema: Schema | undefined): string | undefined => {
    const entries = Object.entries(schema?.properties ?? {});
    return entries.length === 1 && resolve(entries[0]?.[1])?.type === 'array' ? entries[0]?.[0] : undefined;
  };

  const resolve = (schema: Schema | undefined, seen = new Set<string>()): Schema | undefined => {
    if (!schema?.$ref) return schema;
    if (seen.has(schema.$ref)) return undefined;
    seen.add(schema.$ref);
    const target = schema.$ref.startsWith('#/components/schemas/') ? schemas[decodeURIComponent(schema.$ref.slice(21))] : undefined;
    return resolve(target, seen);
  };
  const refName = (schema: Schema | undefined) => (schema?.$ref?.startsWith('#/components/schemas/') ? schemaTypes.get(decodeURIComponent(schema.$ref.slice(21))) : undefined);
  const typesOf = (schema: Schema) => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);
  const nullable = (schema: Schema | undefined) => !!schema && (typesOf(schema).includes('null') || schema.nullable === true);

  /** The GraphQL type of a schema, declaring object and enum types as needed (`hint` names inline ones). */
  function outputType(schema: Schema | undefined, hint: string, field = ''): string | undefined {
    const named = refName(schema);
    const resolved = resolve(schema);
    if (!resolved) return undefined;
    if (isObject(resolved) && Object.keys(mergedObject(resolved).properties ?? {}).length === 0) {
      usesJson = true;
      return 'JSON';
    }
    if (named && isObject(resolved)) {
      declareObject(named, resolved);
      return named;
    }
    const kinds = typesOf(resolved).filter((kind) => kind !== 'null');
    if (Array.isArray(resolved.enum) && resolved.enum.every((value) => typeof value === 'string')) return declareEnum(named ?? pascalCase(hint), resolved.enum as string[]);
    if (kinds.includes('array') || resolved.items) {
      const item = outputType(resolved.items, singular(hint));
      return item && `[${item}${nullable(resolve(resolved.items)) ? '' : '!'}]`;
    }
    if (isObject(resolved)) {
      const name = named ?? typeNames(pascalCase(hint));
      declareObject(name, resolved);
      return name;
    }
    return scalarOf(kinds[0], field, resolved);
  }

  function declareObject(name: string, schema: Schema): void {
    if (types.has(name)) return;
    types.set(name, []);
    const merged = mergedObject(schema);
    const required = new Set(merged.required ?? []);
    const fields: string[] = [];
    const unique = uniqueNames();
    const propertyFields = new Map<string, string>();
    graph.fields.set(name, propertyFields);
    for (const [property, value] of Object.entries(merged.properties ?? {})) {
      if (property.includes('.')) {
        report.guesses.push(`${name}.${property}: a name with a dot, which @from(path:) would read as a path (left out)`);
        continue;
      }
      const type = outputType(value, `${name} ${property}`, property);
      if (!type) {
        report.guesses.push(`${name}.${property}: its schema has no GraphQL shape (left out)`);
        continue;
      }
      const fieldName = unique(camelCase(property));
      const from = expected(fieldName, snake) === property ? '' : ` @from(path: ${JSON.stringify(property)})`;
      const bang = required.has(property) && !nullable(resolve(value)) ? '!' : '';
      fields.push(`${describe(resolve(value))}  ${fieldName}: ${type}${bang}${from}`);
      propertyFields.set(property, fieldName);
      // `author_id: { x-graftql-ref: User }`: the id of a User, which this or another document reads by id.
      const explicit = (value as Record<string, unknown>)['x-graftql-ref'] ?? resolve(value)?.['x-graftql-ref'];
      if (typeof explicit === 'string') graph.references.push({ owner: name, idField: fieldName, target: explicit });
    }
    types.set(name, fields);
  }

  /** One enum per set of values: a parameter shared by several operations (`units`) is one type. */
  const enumsByValues = new Map<string, string>();
  function declareEnum(hint: string, values: string[]): string {
    const key = JSON.stringify(values);
    const known = enumsByValues.get(key);
    if (known) return known;
    const name = typeNames(hint);
    enumsByValues.set(key, name);
    const unique = uniqueNames();
    enums.set(
      name,
      values.map((value) => {
        const spelled = unique(constantCase(value));
        return spelled === value ? value : `${spelled} @from(value: ${JSON.stringify(value)})`;
      }),
    );
    return name;
  }

  function inputType(schema: Schema | undefined, hint: string): string | undefined {
    const resolved = resolve(schema);
    if (!resolved) return undefined;
    if (!isObject(resolved)) {
      const kinds = typesOf(resolved).filter((kind) => kind !== 'null');
      if (kinds.includes('array') || resolved.items) {
        const item = inputType(resolved.items, singular(hint));
        return item && `[${item}!]`;
      }
      if (Array.isArray(resolved.enum) && resolved.enum.every((value) => typeof value === 'string')) return declareEnum(pascalCase(hint), resolved.enum as string[]);
      return scalarOf(kinds[0], hint, resolved);
    }
    if (Object.keys(mergedObject(resolved).properties ?? {}).length === 0) {
      usesJson = true;
      return 'JSON';
    }
    const base = refName(schema) ?? pascalCase(hint);
    const name = base.endsWith('Input') ? base : `${base}Input`;
    if (inputs.has(name)) return name;
    inputs.set(name, []);
    const merged = mergedObject(resolved);
    const required = new Set(merged.required ?? []);
    const fields: string[] = [];
    const unique = uniqueNames();
    for (const [property, value] of Object.entries(merged.properties ?? {})) {
      if (resolve(value)?.readOnly || property.includes('.')) continue;
      const type = inputType(value, `${name} ${property}`);
      if (!type) continue;
      const fieldName = unique(camelCase(property));
      // An integer id is an ID in the graph, and goes back as a number.
      const number = type === 'ID' && typesOf(resolve(value) ?? {}).includes('integer');
      const fromArgs = [...(expected(fieldName, snake) === property ? [] : [`path: ${JSON.stringify(property)}`]), ...(number ? ['as: NUMBER'] : [])];
      const from = fromArgs.length > 0 ? ` @from(${fromArgs.join(', ')})` : '';
      // A reference back to an input still being built (a tree) must be nullable: GraphQL refuses a required cycle.
      const cyclic = inputs.get(type.replace(/[[\]!]/g, ''))?.length === 0;
      fields.push(`  ${fieldName}: ${type}${required.has(property) && !nullable(resolve(value)) && !cyclic ? '!' : ''}${from}`);
    }
    inputs.set(name, fields);
    return name;
  }

  // Reads by id first: they name the types that get global ids, and what relations point at.
  const tokenPaths = new Set(
    Object.values(api.components?.securitySchemes ?? {}).flatMap((scheme) => {
      const url = (scheme.flows as { clientCredentials?: { tokenUrl?: string } } | undefined)?.clientCredentials?.tokenUrl;
      return url ? [url.startsWith('/') ? url : new URL(url).pathname] : [];
    }),
  );
  /** A `$ref` to anywhere in the document (`#/components/parameters/per-page`), followed. */
  const pointed = <T>(value: T): T => {
    let current: unknown = value;
    for (let hops = 0; hops < 16 && typeof (current as { $ref?: unknown })?.$ref === 'string' && (current as { $ref: string }).$ref.startsWith('#/'); hops++) {
      current = (current as { $ref: string }).$ref
        .slice(2)
        .split('/')
        .map((part) => decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~')))
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], api);
    }
    return (current ?? value) as T;
  };
  const operations = Object.entries(api.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method] as Operation;
      return {
        path,
        method,
        operation: {
          ...operation,
          parameters: operation.parameters?.map(pointed),
          requestBody: pointed(operation.requestBody),
          responses: operation.responses && Object.fromEntries(Object.entries(operation.responses).map(([status, response]) => [status, pointed(response)])),
        },
        shared: ((item.parameters as Parameter[] | undefined) ?? []).map(pointed),
      };
    }),
  );
  for (const { path, method, operation } of operations) {
    if (method !== 'get' || !/\/\{[^}]+\}$/.test(path)) continue;
    const answer = successSchema(operation);
    const type = answer?.kind === 'json' ? refName(answer.schema) : undefined;
    if (type && !byId.has(type) && path.split('/').filter((part) => part.startsWith('{')).length === 1) byId.set(type, camelCase(singular(lastNoun(path))));
  }

  /** Collections with a by-ids filter (`/users?ids=1,2`): the read by id of their type batches through it. */
  const batchForms = new Map<string, { param: string; style: 'COMMA' | 'REPEAT'; selection?: string }>();
  for (const { path, method, operation, shared } of operations) {
    if (method !== 'get' || path.endsWith('}')) continue;
    const ids = [...shared, ...(operation.parameters ?? [])].find((parameter) => parameter.in === 'query' && ['ids', 'id'].includes(parameter.name) && resolve(parameter.schema)?.type === 'array');
    const answer = successSchema(operation);
    if (!ids || answer?.kind !== 'json') continue;
    const list = variants(answer.schema)
      .map((shape) => resolve(shape))
      .find((shape) => shape && Object.keys(shape.properties ?? {}).length === 1 && Object.values(shape.properties ?? {}).some((value) => resolve(value)?.type === 'array'));
    const style = (ids as { explode?: boolean }).explode === false ? 'COMMA' : 'REPEAT';
    batchForms.set(path, { param: ids.name, style, selection: list ? Object.keys(list.properties ?? {})[0] : undefined });
    report.guesses.push(`GET ${path}?${ids.name}=: a batch form; reads by id of its items go through it (${style === 'COMMA' ? 'comma-separated' : 'repeated'})`);
  }

  for (const { path, method, operation, shared } of operations) {
    const label = `${method.toUpperCase()} ${path}`;
    const parameters = [...shared, ...(operation.parameters ?? [])];
    const unsupported = parameters.find((parameter) => parameter.in === 'header' || parameter.in === 'cookie');
    if (unsupported?.required) {
      report.skipped.push({ operation: label, reason: `it needs the ${unsupported.in} parameter ${unsupported.name}, which a field argument cannot carry yet` });
      continue;
    }
    const success = successSchema(operation);
    const pathParams = parameters.filter((parameter) => parameter.in === 'path');
    const queryParams = parameters.filter((parameter) => parameter.in === 'query');
    const args: string[] = [];
    const pathTemplate = path.replace(/\{([^}]+)\}/g, (_match, name: string) => `{$args.${camelCase(name)}}`);
    for (const parameter of pathParams)
      args.push(`${camelCase(parameter.name)}: ${idLike(parameter.name) ? 'ID' : (scalarOf(typesOf(parameter.schema ?? {})[0], parameter.name, parameter.schema ?? {}) ?? 'String')}!`);
    /** Each parameter's argument, for links that bind parameters to a parent's fields. */
    const params = new Map(parameters.map((parameter) => [parameter.name, camelCase(parameter.name)]));
    if (operation.operationId) graph.operationIds.set(operation.operationId, label);

    if (method === 'get') {
      if (success?.kind !== 'json') {
        report.skipped.push({ operation: label, reason: success?.kind === 'none' ? 'it answers no body' : `it answers no JSON (${success?.mediaType ?? 'no success response'})` });
        continue;
      }
      // An answer of several shapes (oneOf / anyOf): the one that pages, else the first object.
      const shapes = variants(success.schema);
      const paged = shapes.map((shape) => ({ shape, paging: pagingOf(queryParams, resolve(shape), success.headers) })).find((each) => each.paging);
      const answer = paged?.shape ?? shapes.find((shape) => resolve(shape) && isObject(resolve(shape) as Schema)) ?? success.schema;
      if (shapes.length > 1) report.guesses.push(`${label}: answers one of ${shapes.length} shapes; mapped ${refName(answer) ?? 'the first object'}`);
      const paging = paged?.paging;
      const listPath = paging?.items;
      const rowSchema = listPath ? (resolve(resolve(answer)?.properties?.[listPath] as Schema | undefined)?.items ?? undefined) : undefined;
      const hint = singular(lastNoun(path));
      const batchForm = batchForms.get(path);
      const connectionArgNames = paging ? ['first', 'after', 'last', 'before'] : [];
      const filters = queryParams.filter((parameter) => !paging?.params.includes(parameter.name) && parameter.name !== batchForm?.param && !connectionArgNames.includes(camelCase(parameter.name)));
      const filterArgs = filters.map((parameter) => `${camelCase(parameter.name)}: ${inputType(parameter.schema, parameter.name) ?? 'String'}${parameter.required ? '!' : ''}`);
      const query = filters.length > 0 ? `, query: { ${filters.map((parameter) => `${graphqlKey(parameter.name)}: "$args.${camelCase(parameter.name)}"`).join(', ')} }` : '';
      let declaration: string;
      if (paging && rowSchema) {
        const node = outputType(rowSchema, hint);
        if (!node || !types.get(node)?.length) {
          report.skipped.push({ operation: label, reason: 'it pages a list of values that are not objects (a connection needs object nodes)' });
          continue;
        }
        const name = fieldNames.query(camelCase(pathName(path)));
        const connectionArgs = ['first: Int', 'after: String', ...(paging.backward ? ['last: Int', 'before: String'] : [])];
        const read: GeneratedRead = {
          field: name,
          args: [...args, ...filterArgs, ...connectionArgs],
          type: `${node}Connection`,
          directive: `@rest(source: "${source}", path: "${pathTemplate}"${query}, paginate: { ${paging.directive} })`,
          params,
          description: describe(operation),
        };
        graph.reads.set(label, read);
        // An uncertain guess is said where a person edits, as well as in the report.
        declaration = `${paging.guess ? `  # Guessed: ${paging.guess}.\n` : ''}${renderRead(read)}`;
        if (paging.guess) report.guesses.push(`${label}: ${paging.guess}`);
      } else {
        // `/articles/{id}/attachments` answering `{ data: [Attachment] }`: a list on Article, when this document reads Articles by id.
        const owner = nestedOwner(path);
        const wrapped = !/\/\{[^}]+\}$/.test(path) ? onlyArray(resolve(answer)) : undefined;
        const type = owner && wrapped ? outputType(resolve(resolve(answer)?.properties?.[wrapped] as Schema)?.items, hint) : outputType(answer, hint);
        if (!type) {
          report.skipped.push({ operation: label, reason: 'its answer has no GraphQL shape' });
          continue;
        }
        const single = /\/\{[^}]+\}$/.test(path) && !type.startsWith('[');
        if (owner && pathParams.length === 1 && filterArgs.length === 0) {
          const itemType = type;
          const fieldName = camelCase(lastNoun(path));
          const parentPath = path.replace(/\{[^}]+\}/, '{$parent.id}');
          relations.push({
            owner,
            name: fieldName,
            field: `${describe(operation)}  ${fieldName}: ${wrapped ? `[${itemType}!]!` : type}\n    @rest(source: "${source}", path: "${parentPath}"${wrapped ? `, selection: "${wrapped}"` : ''})`,
          });
          report.mapped.push(label);
          report.guesses.push(`${label}: ${owner}.${fieldName}, reading {${pathParams[0]?.name}} as the ${owner}'s id`);
          continue;
        }
        const name = fieldNames.query(camelCase(single ? singular(lastNoun(path)) : pathName(path)));
        // A read by id takes `id` (what @node's refetch and global ids need), whatever the path calls it.
        const byIdRead = single && pathParams.length === 1;
        const refetch = byIdRead && byId.has(type) && !fetchers.has(type) && !!types.get(type)?.some((field) => /^\s*id: /m.test(field));
        if (refetch) fetchers.set(type, name);
        const globalIds = byIdRead ? [`id: ID!${refetch ? ` @globalId(type: "${type}")` : ''}`] : args;
        const collection = path.replace(/\/\{[^}]+\}$/, '');
        const viaBatch = single && pathParams.length === 1 ? batchForms.get(collection) : undefined;
        const target = viaBatch
          ? `path: "${collection}", batch: { key: "$args.id", param: "${viaBatch.param}", style: ${viaBatch.style} }${viaBatch.selection ? `, selection: "${viaBatch.selection}"` : ''}`
          : `path: "${byIdRead ? path.replace(/\{[^}]+\}$/, '{$args.id}') : pathTemplate}"${query}`;
        if (byIdRead) params.set(pathParams[0]?.name ?? 'id', 'id');
        const read: GeneratedRead = {
          field: name,
          args: [...globalIds, ...filterArgs],
          type,
          directive: `@rest(source: "${source}", ${target})`,
          params,
          byId: refetch,
          description: describe(operation),
        };
        graph.reads.set(label, read);
        declaration = renderRead(read);
        // Links on the answer (OpenAPI `links`): relations from the type read here, made once every document is read.
        for (const [linkName, link] of Object.entries(success.links ?? {}))
          if (!type.startsWith('[')) graph.links.push({ owner: type, name: linkName, link: pointed(link) as LinkObject, from: label });
      }
      queryFields.push(declaration);
      report.mapped.push(label);
      continue;
    }

    // Writes
    if (tokenPaths.has(path)) {
      report.skipped.push({ operation: label, reason: "the OAuth2 token endpoint: the source's auth uses it (see the config stub)" });
      continue;
    }
    const resource = singular(lastNoun(path.replace(/\/\{[^}]+\}$/, '')));
    const name = fieldNames.mutation(cleanOperationId(operation.operationId) ?? camelCase(`${WRITE_VERBS[method]} ${resource}`));
    const body = bodyOf(operation, `${resource} ${WRITE_VERBS[method]}`);
    if (body === null) {
      report.skipped.push({ operation: label, reason: `its request body is of a type the gateway cannot send (${Object.keys(operation.requestBody?.content ?? {}).join(', ')})` });
      continue;
    }
    const returns = success?.kind === 'json' ? outputType(success.schema, resource) : undefined;
    const result = returns ? '' : `, result: "${pathParams.length > 0 ? `{$args.${camelCase(pathParams[pathParams.length - 1]?.name ?? 'id')}}` : 'true'}"`;
    const declaredArgs = [...args, ...(body?.args ?? [])];
    mutationFields.push(
      `${describe(operation)}  ${name}${argList(declaredArgs)}: ${returns ?? (pathParams.length > 0 ? 'ID' : 'Boolean')}\n    @rest(source: "${source}", method: ${method.toUpperCase()}, path: "${pathTemplate}"${body?.directive ?? ''}${result})`,
    );
    report.mapped.push(label);
  }
  for (const type of fetchers.keys()) if (!types.get(type)?.some((field) => /^\s*id: /m.test(field))) fetchers.delete(type);
  // `article_id` on a type, with Articles read by id here: `article: Article`.
  // Those it does not read by id here, and the ids marked `x-graftql-ref`, are for relations across documents (relations.ts).
  for (const [typeName, fields] of types) {
    const explicit = new Set(graph.references.filter((reference) => reference.owner === typeName).map((reference) => reference.idField));
    for (const field of fields) {
      const id = /^\s*(\w+)Id: ID!?/m.exec(field)?.[1];
      if (!id || explicit.has(`${id}Id`)) continue;
      const target = pascalCase(id);
      const fetch = fetchers.get(target);
      if (fetch && !fields.some((other) => new RegExp(`^\\s*${id}:`, 'm').test(other)))
        relations.push({ owner: typeName, name: id, field: `  ${id}: ${target} @ref(query: "${fetch}", args: { id: "$parent.${id}Id" })` });
      else if (!fetch) graph.references.push({ owner: typeName, idField: `${id}Id` });
    }
  }
  for (const [type, field] of fetchers) graph.fetchers.set(type, field);
  if (queryFields.length === 0 && mutationFields.length > 0) report.guesses.push('the document has no reads: the graph needs a Query field from another file (or source)');
  if (api.webhooks && Object.keys(api.webhooks).length > 0)
    report.guesses.push(`webhooks (${Object.keys(api.webhooks).join(', ')}): not imported; declare @event subscriptions for them (docs/webhooks.md)`);

  /** The JSON, form or multipart body of a write, as arguments and the directive's argument; null when not sendable. */
  function bodyOf(operation: Operation, hint: string): { args: string[]; directive: string } | null | undefined {
    const content = operation.requestBody?.content;
    if (!content) return undefined;
    const json = Object.keys(content).find((type) => /json/i.test(type));
    if (json) {
      const type = inputType(content[json]?.schema, hint);
      return type ? { args: [`input: ${type}!`], directive: ', body: "$args.input"' } : null;
    }
    const form = content['application/x-www-form-urlencoded'] ?? content['multipart/form-data'];
    const multipart = !content['application/x-www-form-urlencoded'] && content['multipart/form-data'] !== undefined;
    const schema = resolve(form?.schema);
    if (!schema?.properties) return null;
    const required = new Set(schema.required ?? []);
    const args: string[] = [];
    const entries: string[] = [];
    for (const [property, value] of Object.entries(schema.properties)) {
      const resolved = resolve(value);
      const file = multipart && (resolved?.format === 'binary' || resolved?.contentMediaType !== undefined || resolved?.contentEncoding !== undefined);
      const type = file ? 'Upload' : (scalarOf(typesOf(resolved ?? {})[0], property, resolved ?? {}) ?? 'String');
      args.push(`${camelCase(property)}: ${type}${required.has(property) ? '!' : ''}`);
      entries.push(`${graphqlKey(property)}: "$args.${camelCase(property)}"`);
    }
    return { args, directive: `, ${multipart ? 'multipart' : 'form'}: { ${entries.join(', ')} }` };
  }

  const sdl = [
    `${GENERATED_HEADER} from ${api.info?.title ?? 'an OpenAPI document'} (source "${source}"). Run it again to update this file;`,
    '# put your own changes in another file of this folder (`extend type …`), which the import never touches.',
    '',
    ...[...enums].map(([name, values]) => `enum ${name} {\n${values.map((value) => `  ${value}`).join('\n')}\n}\n`),
    ...[...types].map(([name, fields]) => {
      const added = relations.filter((relation) => relation.owner === name).map((relation) => relation.field);
      if (fields.length + added.length === 0) return opaque(name);
      return `type ${name}${fetchers.has(name) ? ` @node(fetch: "${fetchers.get(name)}")` : ''} {\n${[...fields, ...added].join('\n')}\n}\n`;
    }),
    ...[...inputs].map(([name, fields]) => (fields.length === 0 ? opaque(name) : `input ${name} {\n${fields.join('\n')}\n}\n`)),
    ...(queryFields.length > 0 ? [`extend type Query {\n${queryFields.join('\n')}\n}\n`] : []),
    ...(mutationFields.length > 0 ? [`extend type Mutation {\n${mutationFields.join('\n')}\n}\n`] : []),
    ...(mutationFields.some((field) => field.includes('Upload')) ? ['scalar Upload\n'] : []),
    ...(usesJson ? ['"Any JSON value, as the source sends it."\nscalar JSON\n'] : []),
  ].join('\n');
  for (const name of [...types.keys(), ...enums.keys(), ...inputs.keys()]) taken.types.add(name);
  for (const name of rootNames.query) taken.query.add(name);
  for (const name of rootNames.mutation) taken.mutation.add(name);
  for (const { owner, name } of relations) graph.related.set(owner, [...(graph.related.get(owner) ?? []), name]);
  return { sdl: `${sdl.trimEnd()}\n`, config: configStub(api, source, snake, report), report, graph };
}

/** An object with no field GraphQL can express: its values pass as they are. */
function opaque(name: string): string {
  return `"An object of the source's with no fields the graph can express: passed as JSON."\nscalar ${name}\n`;
}

/** The success answer of an operation: its JSON schema, or why there is none. */
function successSchema(
  operation: Operation,
): { kind: 'json'; schema: Schema | undefined; headers: Record<string, unknown>; links?: Record<string, unknown>; mediaType: string } | { kind: 'none' | 'other'; mediaType?: string } | undefined {
  const [, response] = Object.entries(operation.responses ?? {}).find(([status]) => /^2/.test(status)) ?? [];
  if (!response) return undefined;
  if (!response.content) return { kind: 'none' };
  const mediaType = Object.keys(response.content).find((type) => /json/i.test(type));
  if (!mediaType) return { kind: 'other', mediaType: Object.keys(response.content).join(', ') };
  return { kind: 'json', schema: response.content[mediaType]?.schema, headers: response.headers ?? {}, links: response.links, mediaType };
}

/** The shapes an answer may take: the members of a oneOf / anyOf, or itself. */
function variants(schema: Schema | undefined): Schema[] {
  const members = (schema?.oneOf ?? schema?.anyOf) as Schema[] | undefined;
  return Array.isArray(members) && members.length > 0 ? members : schema ? [schema] : [];
}

function mergedObject(schema: Schema): Schema {
  const parts = Array.isArray(schema.allOf) ? (schema.allOf as Schema[]) : [];
  if (parts.length === 0) return schema;
  const properties: Record<string, Schema> = { ...schema.properties };
  const required = [...(schema.required ?? [])];
  for (const part of parts) {
    Object.assign(properties, part.properties);
    required.push(...(part.required ?? []));
  }
  return { ...schema, allOf: undefined, properties, required };
}

function isObject(schema: Schema): boolean {
  return schema.type === 'object' || (schema.properties !== undefined && schema.type === undefined) || Array.isArray(schema.allOf);
}

function scalarOf(kind: string | undefined, field: string, schema: Schema): string | undefined {
  if (kind === 'integer') return idLike(field) ? 'ID' : schema.format === 'int64' ? 'Float' : 'Int';
  if (kind === 'number') return 'Float';
  if (kind === 'boolean') return 'Boolean';
  if (kind === 'string') return idLike(field) ? 'ID' : 'String';
  return undefined;
}

/** An operationId a person would keep as a field name (`createArticle`), not a generated one (`getUsersByIdUsingGET`). */
function cleanOperationId(id: string | undefined): string | undefined {
  return id && /^[a-z][a-zA-Z0-9]{2,39}$/.test(id) && !/Using(GET|POST|PUT|PATCH|DELETE)$/.test(id) ? id : undefined;
}

function idLike(name: string): boolean {
  const parts = words(name);
  return parts.at(-1) === 'id';
}

/** How a field name reads in the source, by its naming convention. */
function expected(fieldName: string, snake: boolean): string {
  return snake ? words(fieldName).join('_') : fieldName;
}

function countSnake(schemas: Record<string, Schema>): number {
  let snake = 0;
  let camel = 0;
  for (const schema of Object.values(schemas))
    for (const name of Object.keys(schema.properties ?? {})) {
      if (name.includes('_')) snake += 1;
      else if (/[a-z][A-Z]/.test(name)) camel += 1;
    }
  return snake > camel ? snake : 0;
}

/** The last plain segment of a path: `/users/{id}/articles` → articles. */
function lastNoun(path: string): string {
  return (
    path
      .split('/')
      .filter((part) => part !== '' && !part.startsWith('{'))
      .at(-1) ?? 'root'
  );
}

/** A collection's field name from its path: `/users` → users, `/users/{id}/articles` → userArticles, `/data/2.5/forecast` → forecast. */
function pathName(path: string): string {
  const nouns = path.split('/').filter((part) => part !== '' && !part.startsWith('{') && /^[A-Za-z]/.test(part));
  const last = nouns.at(-1) ?? 'root';
  const owner = path.includes('{') && nouns.length > 1 ? singular(nouns[nouns.length - 2] ?? '') : '';
  return owner ? `${owner} ${last}` : last;
}

/** A generated Query field: its description, arguments and directive. */
function renderRead({ description, field, args, type, directive }: GeneratedRead): string {
  return `${description}  ${field}${argList(args)}: ${type}\n    ${directive}`;
}

function argList(args: string[]): string {
  return args.length > 0 ? `(${args.join(', ')})` : '';
}

/** A map key as GraphQL allows it, quoted as a list entry otherwise: `page[size]` cannot be an object field name. */
function graphqlKey(name: string): string {
  return /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) ? name : JSON.stringify(name);
}

function describe(item: object | undefined): string {
  const { summary, description } = (item ?? {}) as { summary?: unknown; description?: unknown };
  return descriptionLine(typeof summary === 'string' ? summary : description);
}
