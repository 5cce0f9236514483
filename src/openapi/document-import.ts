/**
 * One OpenAPI document made into SDL, a config stub and a report: the types
 * its schemas declare (schema-types.ts, as operations use them), a Query field per
 * read and a Mutation field per write, batch forms and reads by id found
 * first, then relations by id within the document. What relations cross
 * documents is left in `graph` for relations.ts.
 */
import { configStub } from './config-stub.ts';
import type { OpenApiDocument, Operation, Parameter, Schema } from './document.ts';
import { GENERATED_HEADER } from './generated-header.ts';
import type { ImportReport } from './import-report.ts';
import { argumentName, camelCase, pascalCase, singular, uniqueNames } from './names.ts';
import { pagingOf } from './paging.ts';
import type { GeneratedGraph, GeneratedRead, LinkObject } from './relations.ts';
import {
  argList,
  cleanOperationId,
  describe,
  idLike,
  isObject,
  lastNoun,
  mapLiteral,
  opaque,
  pathName,
  renderRead,
  scalarOf,
  successSchema,
  typesOf,
  variants,
} from './schema-shapes.ts';
import { atPointer, SchemaTypes } from './schema-types.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Whether a schema of the document cannot take a type name (it is qualified
 * with the source's name instead: `Subscription` -> `StripeSubscription`):
 * GraphQL's root types and scalars, the types the gateway declares itself,
 * and every `Graft...` name, which the mapping directives' types take.
 */
export function isReservedTypeName(name: string): boolean {
  return RESERVED_TYPE_NAMES.has(name) || name.startsWith('Graft');
}

const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'JSON',
  'Upload',
  'Node',
  'PageInfo',
]);

/** Each parameter's argument name, unique within the operation: path parameters first, then headers, then the query's. */
function argumentNames(parameters: readonly Parameter[]): (parameter: Parameter) => string {
  const unique = uniqueNames();
  const names = new Map<Parameter, string>();
  for (const where of ['path', 'header', 'query'])
    for (const parameter of parameters)
      if (parameter.in === where) names.set(parameter, unique(argumentName(parameter.name)));
  return (parameter) => names.get(parameter) ?? argumentName(parameter.name);
}

/**
 * Names for an operation besides the obvious one, for when that is taken:
 * its operationId's words (`repos/get` -> reposGet), then every word of its
 * path (`/repos/{owner}/{repo}` -> reposOwnerRepo), after `verb` for a write.
 */
function alternativeNames(path: string, operation: Operation, verb = ''): string[] {
  const { operationId, summary } = operation;
  const id = operationId && !/Using(GET|POST|PUT|PATCH|DELETE)$/.test(operationId) ? camelCase(operationId) : undefined;
  // A short summary without its verb: "Get current user" -> currentUser, "List workspaces for user" -> workspacesForUser.
  const said =
    typeof summary === 'string' ? summary.replace(/^(get|list|retrieve|fetch|return|returns|read)s?\s+/i, '') : '';
  const fromSummary =
    said && /^[A-Za-z][\w\s-]*$/.test(said) && said.split(/\s+/).length <= 4 ? camelCase(`${verb} ${said}`) : undefined;
  const whole = camelCase(`${verb} ${path.replace(/[{}]/g, ' ').replace(/\.(json|xml|ya?ml)\b/g, ' ')}`);
  return [...(id && id !== '_' ? [id] : []), ...(fromSummary ? [fromSummary] : []), whole];
}

/** A path key without the query or fragment some documents write into it (`/files?fields=id`). */
function pathOnly(path: string): string {
  return path.split(/[?#]/)[0] ?? path;
}

/** The fixed query parameters a path key carries (`/search?beta=true`): sent with every call. */
function fixedQuery(path: string): Array<[string, string]> {
  const at = path.indexOf('?');
  if (at < 0) return [];
  return [...new URLSearchParams(path.slice(at + 1).split('#')[0]).entries()];
}
const WRITE_VERBS: Record<string, string> = { post: 'create', put: 'replace', patch: 'update', delete: 'delete' };

/** The type and root field names an import's documents have used so far. */
export interface TakenNames {
  types: Set<string>;
  query: Set<string>;
  mutation: Set<string>;
}

export interface DocumentResult {
  sdl: string;
  /** A `sources.<name>` entry for graftql.config.ts. */
  config: string;
  report: ImportReport;
  /** What relations to this and other documents are made from (relations.ts). */
  graph: GeneratedGraph;
}

/** One operation of the document, its `$ref`s to parameters, bodies and responses followed. */
interface DocumentOperation {
  /** Its path, without the query some documents write into a path key... */
  path: string;
  /** ...which is sent with every call (`/search?beta=true`). */
  fixedQuery: Array<[string, string]>;
  method: (typeof METHODS)[number];
  operation: Operation;
  /** The path item's parameters, shared by its operations. */
  shared: Parameter[];
}

/** What a read or a write starts from: its label, parameters and arguments. */
interface OperationParts extends DocumentOperation {
  label: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** Arguments for the path's parameters. */
  args: string[];
  /** Each parameter's argument name: a GraphQL name, unique among the operation's arguments. */
  argName: (parameter: Parameter) => string;
  /** The path with `{$args.…}` for each parameter. */
  pathTemplate: string;
  /** Each parameter's argument, for links that bind parameters to a parent's fields. */
  params: Map<string, string>;
  success: ReturnType<typeof successSchema>;
  /** Arguments for the header parameters the caller gives, and the directive's `headers` that send them (or ''). */
  headerArgs: string[];
  headers: string;
}

/** A header name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers the gateway sets itself (or the source's auth does): never an argument. */
const GATEWAY_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'accept',
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'cookie',
]);

export class DocumentImport {
  readonly report: ImportReport = { mapped: [], skipped: [], guesses: [], relations: [] };
  /** The types the document's schemas declare (schema-types.ts). */
  readonly #shapes: SchemaTypes;
  readonly #queryFields: string[] = [];
  /** Rendered last: a write on a type read by id takes its global id, known once every read is made. */
  readonly #mutationFields: Array<() => string> = [];
  /** Root field names this document takes, made known to the documents after it once it is done (not before: a second `user` here is `user2`, not qualified). */
  readonly #rootNames = { query: new Set<string>(), mutation: new Set<string>() };
  readonly #fieldNames: { query: (...names: string[]) => string; mutation: (...names: string[]) => string };
  /** What relations are built from (relations.ts): the reads generated, each type's fields, links and ids to follow. */
  readonly graph: GeneratedGraph;
  /** Types with a read by id: `@node(fetch:)` and relations point there. */
  readonly #byId = new Map<string, string>();
  /** The path each type is read by id at (`/pets/{petId}`): writes at that path act on that type. */
  readonly #byIdPaths = new Map<string, string>();
  /** The Query field that reads each type by id, as generated (`@node(fetch:)`, `@ref`). */
  readonly #fetchers = new Map<string, string>();
  /** The field a Node's global id holds, where it is not `id` (`@node(key:)`). */
  readonly #nodeKeys = new Map<string, string>();
  /** Fields added to object types: nested collections, and references by id. */
  readonly #relations: Array<{ owner: string; name: string; field: string; from?: string }> = [];
  /** Collections with a by-ids filter (`/users?ids=1,2`): the read by id of their type batches through it. */
  readonly #batchForms = new Map<string, { param: string; style: 'COMMA' | 'REPEAT'; selection?: string }>();
  readonly #operations: DocumentOperation[];
  readonly #tokenPaths: Set<string>;
  /** Inline schemas a `$ref` points at from elsewhere (#sharedInlineName). */
  readonly #pointedAt = new WeakSet<object>();

  constructor(
    private readonly api: OpenApiDocument,
    private readonly source: string,
    private readonly taken: TakenNames,
  ) {
    this.#fieldNames = { query: this.#rootName('query'), mutation: this.#rootName('mutation') };
    this.graph = {
      source,
      title: api.info?.title,
      reads: new Map(),
      operationIds: new Map(),
      fetchers: new Map(),
      fields: new Map(),
      related: new Map(),
      links: [],
      references: [],
    };
    const typeNames = uniqueNames({ has: (name) => taken.types.has(name) || isReservedTypeName(name) }, (name) =>
      pascalCase(`${source} ${name}`),
    );
    this.#shapes = new SchemaTypes(api, typeNames, this.report, this.graph);
    this.#tokenPaths = new Set(
      Object.values(api.components?.securitySchemes ?? {}).flatMap((scheme) => {
        const url = (scheme.flows as { clientCredentials?: { tokenUrl?: string } } | undefined)?.clientCredentials
          ?.tokenUrl;
        return url ? [url.startsWith('/') ? url : new URL(url).pathname] : [];
      }),
    );
    this.#operations = this.#collectOperations();
    for (const ref of localRefs(api.paths))
      if (!ref.startsWith('#/components/')) {
        const target = atPointer(api, ref);
        if (typeof target === 'object' && target !== null) this.#pointedAt.add(target);
      }
  }

  /** The whole document: reads by id and batch forms first (they name what the others point at), then every operation, then relations by id. */
  run(): DocumentResult {
    this.#findReadsById();
    this.#findBatchForms();
    for (const operation of this.#operations) this.#importOperation(operation);
    this.#relateIds();
    const { report, graph } = this;
    if (this.#queryFields.length === 0 && this.#mutationFields.length > 0)
      report.guesses.push('the document has no reads: the graph needs a Query field from another file (or source)');
    if (this.api.webhooks && Object.keys(this.api.webhooks).length > 0)
      report.guesses.push(
        `webhooks (${Object.keys(this.api.webhooks).join(', ')}): not imported; declare @event subscriptions for them (docs/webhooks.md)`,
      );
    const sdl = this.#render();
    for (const name of [
      ...this.#shapes.types.keys(),
      ...this.#shapes.enums.keys(),
      ...this.#shapes.inputs.keys(),
      ...this.#shapes.unions.keys(),
    ])
      this.taken.types.add(name);
    for (const name of this.#rootNames.query) this.taken.query.add(name);
    for (const name of this.#rootNames.mutation) this.taken.mutation.add(name);
    for (const { owner, name } of this.#relations)
      graph.related.set(owner, [...(graph.related.get(owner) ?? []), name]);
    return {
      sdl: `${sdl.trimEnd()}\n`,
      config: configStub(this.api, this.source, this.#shapes.snake, report),
      report,
      graph,
    };
  }

  /**
   * A root field's name: the first of `names` that no field has taken, else
   * the first with a number (`user2`); the first qualified with the source's
   * name when another document of the import took it (`shopItem`). The alternatives (the operationId's
   * words, the whole path's) keep a number for when nothing better names it:
   * `GET /users/{username}` is `usersGetByUsername`, not `user4`, when `user` is taken.
   */
  #rootName(kind: 'query' | 'mutation'): (...names: string[]) => string {
    const unique = uniqueNames(this.taken[kind], (name) => camelCase(`${this.source} ${name}`));
    return (...names) => {
      const [first = 'field'] = names;
      // A name another document took is qualified with the source's (`shopItem`); one this document took looks further.
      const free = this.taken[kind].has(first)
        ? first
        : names.find((name) => name !== '_' && !this.#rootNames[kind].has(name) && !this.taken[kind].has(name));
      const chosen = unique(free ?? first);
      this.#rootNames[kind].add(chosen);
      return chosen;
    };
  }

  // --- Operations

  /** A `$ref` to anywhere in the document (`#/components/parameters/per-page`), followed. */
  #pointed<T>(value: T): T {
    let current: unknown = value;
    for (
      let hops = 0;
      hops < 16 &&
      typeof (current as { $ref?: unknown })?.$ref === 'string' &&
      (current as { $ref: string }).$ref.startsWith('#/');
      hops++
    ) {
      current = atPointer(this.api, (current as { $ref: string }).$ref);
    }
    return (current ?? value) as T;
  }

  #collectOperations(): DocumentOperation[] {
    return Object.entries(this.api.paths ?? {}).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => {
        const operation = item[method] as Operation;
        return {
          path: pathOnly(path),
          fixedQuery: fixedQuery(path),
          method,
          operation: {
            ...operation,
            parameters: operation.parameters?.map((parameter) => this.#pointed(parameter)),
            requestBody: this.#pointed(operation.requestBody),
            responses:
              operation.responses &&
              Object.fromEntries(
                Object.entries(operation.responses).map(([status, response]) => [status, this.#pointed(response)]),
              ),
          },
          shared: ((item.parameters as Parameter[] | undefined) ?? []).map((parameter) => this.#pointed(parameter)),
        };
      }),
    );
  }

  /** Reads by id first: they name the types that get global ids, and what relations point at. */
  #findReadsById(): void {
    for (const { path, method, operation } of this.#operations) {
      if (method !== 'get' || !/\/\{[^}]+\}$/.test(path)) continue;
      const answer = successSchema(operation);
      const schema = answer?.kind === 'json' ? (this.#wrapperOf(answer.schema)?.schema ?? answer.schema) : undefined;
      const type = this.#shapes.refName(schema) ?? this.#sharedInlineName(schema, path);
      if (type && !this.#byId.has(type) && path.split('/').filter((part) => part.startsWith('{')).length === 1)
        this.#byId.set(type, camelCase(singular(lastNoun(path))));
      if (type) this.#byIdPaths.set(path, type);
    }
  }

  /**
   * The name of an inline schema that other places point at, after the
   * resource its read by id names (`Author` for `GET /authors/{id}`):
   * bundling a document of several files leaves each schema of another file
   * inline at its first use and points its other uses there (`#/paths/...`).
   */
  #sharedInlineName(schema: Schema | undefined, path: string): string | undefined {
    const resolved = this.#shapes.resolve(schema);
    if (!resolved || !isObject(resolved) || !this.#pointedAt.has(resolved)) return undefined;
    const known = this.#shapes.inlineTypes.get(resolved);
    if (known) return known;
    const name = this.#shapes.typeNames(pascalCase(singular(lastNoun(path))));
    this.#shapes.inlineTypes.set(resolved, name);
    return name;
  }

  #findBatchForms(): void {
    for (const { path, method, operation, shared } of this.#operations) {
      if (method !== 'get' || path.endsWith('}')) continue;
      const ids = [...shared, ...(operation.parameters ?? [])].find(
        (parameter) =>
          parameter.in === 'query' &&
          ['ids', 'id'].includes(parameter.name) &&
          this.#shapes.resolve(parameter.schema)?.type === 'array',
      );
      const answer = successSchema(operation);
      if (!ids || answer?.kind !== 'json') continue;
      const list = variants(answer.schema)
        .map((shape) => this.#shapes.resolve(shape))
        .find(
          (shape) =>
            shape &&
            Object.keys(shape.properties ?? {}).length === 1 &&
            Object.values(shape.properties ?? {}).some((value) => this.#shapes.resolve(value)?.type === 'array'),
        );
      const style = (ids as { explode?: boolean }).explode === false ? 'COMMA' : 'REPEAT';
      this.#batchForms.set(path, {
        param: ids.name,
        style,
        selection: list ? Object.keys(list.properties ?? {})[0] : undefined,
      });
      this.report.guesses.push(
        `GET ${path}?${ids.name}=: a batch form; reads by id of its items go through it (${style === 'COMMA' ? 'comma-separated' : 'repeated'})`,
      );
    }
  }

  #importOperation(each: DocumentOperation): void {
    const { path, method, operation, shared } = each;
    const label = `${method.toUpperCase()} ${path}`;
    const parameters = this.#parametersOf(label, shared, operation.parameters ?? []);
    const unsupported = parameters.find((parameter) => parameter.in === 'cookie');
    if (unsupported?.required) {
      this.report.skipped.push({
        operation: label,
        reason: `it needs the ${unsupported.in} parameter ${unsupported.name}, which a field argument cannot carry yet`,
      });
      return;
    }
    const pathParams = parameters.filter((parameter) => parameter.in === 'path');
    const argName = argumentNames(parameters);
    const args = pathParams.map(
      (parameter) =>
        `${argName(parameter)}: ${idLike(parameter.name) ? 'ID' : (scalarOf(typesOf(parameter.schema ?? {})[0], parameter.name, parameter.schema ?? {}) ?? 'String')}!`,
    );
    if (operation.operationId) this.graph.operationIds.set(operation.operationId, label);
    const parts: OperationParts = {
      ...each,
      label,
      pathParams,
      queryParams: parameters.filter((parameter) => parameter.in === 'query'),
      args,
      argName,
      pathTemplate: path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
        const parameter = pathParams.find((each) => each.name === name);
        return `{$args.${parameter ? argName(parameter) : argumentName(name)}}`;
      }),
      params: new Map(parameters.map((parameter) => [parameter.name, argName(parameter)])),
      success: successSchema(operation),
      ...this.#headerParts(parameters, argName),
    };
    if (method === 'get') this.#importRead(parts);
    else this.#importWrite(parts);
  }

  /**
   * The operation's parameters: its own over the path item's of the same name
   * and place (as the specification says), and none without a usable name
   * (an empty one, or a header name HTTP does not allow), which is reported.
   */
  #parametersOf(label: string, shared: readonly Parameter[], own: readonly Parameter[]): Parameter[] {
    const byKey = new Map<string, Parameter>();
    for (const parameter of [...shared, ...own]) byKey.set(`${parameter.in} ${parameter.name}`, parameter);
    return [...byKey.values()].filter((parameter) => {
      const usable = parameter.in === 'header' ? HEADER_NAME.test(parameter.name) : parameter.name !== '';
      if (!usable)
        this.report.guesses.push(
          `${label}: the ${parameter.in} parameter ${JSON.stringify(parameter.name)} has no usable name (left out)`,
        );
      return usable;
    });
  }

  /**
   * Header parameters as arguments, sent with `@rest(headers:)` (a value with
   * a line break is refused before the call). Not those the gateway or the
   * source's auth sets: `Authorization`, `Accept`, an API key's header.
   */
  #headerParts(
    parameters: readonly Parameter[],
    argName: (parameter: Parameter) => string,
  ): Pick<OperationParts, 'headerArgs' | 'headers'> {
    const keyHeaders = Object.values(this.api.components?.securitySchemes ?? {}).flatMap((scheme) =>
      scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string'
        ? [scheme.name.toLowerCase()]
        : [],
    );
    const given = parameters.filter(
      (parameter) =>
        parameter.in === 'header' &&
        !GATEWAY_HEADERS.has(parameter.name.toLowerCase()) &&
        !keyHeaders.includes(parameter.name.toLowerCase()),
    );
    if (given.length === 0) return { headerArgs: [], headers: '' };
    const headerArgs = given.map(
      (parameter) =>
        `${argName(parameter)}: ${scalarOf(typesOf(parameter.schema ?? {})[0], parameter.name, parameter.schema ?? {}) ?? 'String'}${parameter.required ? '!' : ''}`,
    );
    const entries = given.map((parameter) => JSON.stringify(`${parameter.name}: $args.${argName(parameter)}`));
    return { headerArgs, headers: `, headers: [${entries.join(', ')}]` };
  }

  #importRead(parts: OperationParts): void {
    const { label, path, queryParams, success } = parts;
    if (success?.kind !== 'json') {
      this.report.skipped.push({
        operation: label,
        reason:
          success?.kind === 'none'
            ? 'it answers no body'
            : `it answers no JSON (${success?.mediaType ?? 'no success response'})`,
      });
      return;
    }
    // An answer of several shapes (oneOf / anyOf): the one that pages, else the first object.
    const shapes = variants(success.schema);
    const paged = shapes
      .map((shape) => ({
        shape,
        paging: pagingOf(queryParams, this.#shapes.objectShape(shape), success.headers, (schema) =>
          this.#shapes.objectShape(schema),
        ),
      }))
      .find((each) => each.paging);
    // Otherwise the answer as a whole: several object shapes merged, shapes of different kinds as JSON (#collapsed).
    const answer = paged?.shape ?? success.schema;
    const paging = paged?.paging;
    const list = paging && (paging.items ? this.#shapes.objectShape(answer)?.properties?.[paging.items] : answer);
    const items = (list && this.#shapes.resolve(list as Schema)?.items) ?? undefined;
    // A connection's nodes are objects: a paged list of strings stays a list (of its first page).
    const rows = this.#shapes.collapsed(items);
    const rowSchema = rows !== 'json' && rows && isObject(this.#shapes.resolve(rows) ?? {}) ? items : undefined;
    const batchForm = this.#batchForms.get(path);
    const connectionArgNames = paging ? ['first', 'after', 'last', 'before'] : [];
    const filters = queryParams.filter(
      (parameter) =>
        !paging?.params.includes(parameter.name) &&
        parameter.name !== batchForm?.param &&
        !connectionArgNames.includes(parts.argName(parameter)),
    );
    const filterArgs = filters.map(
      (parameter) =>
        `${parts.argName(parameter)}: ${this.#shapes.inputType(parameter.schema, parameter.name) ?? 'String'}${parameter.required ? '!' : ''}`,
    );
    const entries: Array<[string, string]> = [
      ...parts.fixedQuery,
      ...filters.map((parameter): [string, string] => [parameter.name, `$args.${parts.argName(parameter)}`]),
    ];
    const query = entries.length > 0 ? `, query: ${mapLiteral(entries)}` : '';
    const declaration =
      paging && rowSchema
        ? this.#connectionRead(parts, paging, rowSchema, filterArgs, query)
        : this.#plainRead(parts, answer, filterArgs, query, success.links ?? {});
    if (shapes.length > 1)
      this.report.guesses.push(`${label}: ${this.#shapesMapped(shapes.length, paged && answer, success.schema)}`);
    if (declaration === undefined) return;
    this.#queryFields.push(declaration);
    this.report.mapped.push(label);
  }

  /** How an answer of several shapes was mapped: the one that pages, a union of them, or one type with the fields of all. */
  #shapesMapped(count: number, paged: Schema | undefined, answer: Schema | undefined): string {
    const union = answer && this.#shapes.unionOf.get(this.#shapes.resolve(answer) ?? answer);
    const how = paged
      ? (this.#shapes.refName(paged) ?? 'the one that pages')
      : union
        ? `as the union ${union}, each record the member it says it is`
        : 'as one type with the fields of all of them';
    return `answers one of ${count} shapes; mapped ${how}`;
  }

  /** A paged list as a connection; undefined when it was skipped. */
  #connectionRead(
    parts: OperationParts,
    paging: NonNullable<ReturnType<typeof pagingOf>>,
    rowSchema: Schema,
    filterArgs: string[],
    query: string,
  ): string | undefined {
    const { label, path, args, pathTemplate, params, operation } = parts;
    const node = this.#shapes.outputType(rowSchema, singular(lastNoun(path)));
    if (!node || !(this.#shapes.types.get(node)?.length || this.#shapes.unions.has(node))) {
      this.report.skipped.push({
        operation: label,
        reason: 'it pages a list of values that are not objects (a connection needs object nodes)',
      });
      return undefined;
    }
    const name = this.#fieldNames.query(camelCase(pathName(path)), ...alternativeNames(path, operation));
    const connectionArgs = ['first: Int', 'after: String', ...(paging.backward ? ['last: Int', 'before: String'] : [])];
    const read: GeneratedRead = {
      field: name,
      args: [...args, ...filterArgs, ...parts.headerArgs, ...connectionArgs],
      type: `${node}Connection`,
      directive: `@rest(source: "${this.source}", path: "${pathTemplate}"${query}${parts.headers}, paginate: { ${paging.directive} })`,
      params,
      description: describe(operation),
    };
    this.graph.reads.set(label, read);
    if (paging.guess) this.report.guesses.push(`${label}: ${paging.guess}`);
    // An uncertain guess is said where a person edits, as well as in the report.
    return `${paging.guess ? `  # Guessed: ${paging.guess}.\n` : ''}${renderRead(read)}`;
  }

  /** A read of one object or a plain list, or a list nested under the type its path reads by id; undefined when it was skipped or nested. */
  #plainRead(
    parts: OperationParts,
    given: Schema | undefined,
    filterArgs: string[],
    query: string,
    links: Record<string, unknown>,
  ): string | undefined {
    const { label, path, pathParams, args, pathTemplate, params, operation } = parts;
    const hint = singular(lastNoun(path));
    // `GET /droplets/{id}` answering `{ droplet: {...} }`: the Droplet itself, read from under its wrapper.
    const unwrapped = /\/\{[^}]+\}$/.test(path) ? this.#wrapperOf(given) : undefined;
    const answer = unwrapped ? unwrapped.schema : given;
    // `/articles/{id}/attachments` answering `{ data: [Attachment] }`: a list on Article, when this document reads Articles by id.
    const owner = this.#nestedOwner(path);
    const wrapped = !/\/\{[^}]+\}$/.test(path) ? this.#onlyArray(this.#shapes.resolve(answer)) : undefined;
    const type =
      owner && wrapped
        ? this.#shapes.outputType(
            this.#shapes.resolve(this.#shapes.resolve(answer)?.properties?.[wrapped] as Schema)?.items,
            hint,
          )
        : this.#shapes.outputType(answer, hint);
    if (!type) {
      this.report.skipped.push({ operation: label, reason: 'its answer has no GraphQL shape' });
      return undefined;
    }
    const single = /\/\{[^}]+\}$/.test(path) && !type.startsWith('[');
    if (owner && pathParams.length === 1 && filterArgs.length === 0 && parts.headerArgs.length === 0) {
      this.#nestedList(parts, owner, wrapped, type);
      return undefined;
    }
    const name = this.#fieldNames.query(
      camelCase(single ? singular(lastNoun(path)) : pathName(path)),
      ...alternativeNames(path, parts.operation),
    );
    // A read by id takes `id` (what @node's refetch and global ids need), whatever the path calls it.
    const byIdRead = single && pathParams.length === 1;
    // The global id holds what the read is fetched by: `id` for `{id}` / `{pet_id}`, the field a `{login}` names; a
    // read by something the type does not hold (GitHub's `{org}`) makes no Node, whose ids would not refetch.
    const key = byIdRead ? this.#nodeKey(type, pathParams[0]?.name ?? '') : undefined;
    const refetch =
      key !== undefined &&
      this.#byId.has(type) &&
      !this.#fetchers.has(type) &&
      !!this.#shapes.types.get(type)?.some((field) => /^\s*id: /m.test(field));
    if (refetch) {
      this.#fetchers.set(type, name);
      if (key !== 'id') this.#nodeKeys.set(type, key);
    }
    const globalIds = byIdRead ? [`id: ID!${refetch ? ` @globalId(type: "${type}")` : ''}`] : args;
    const collection = path.replace(/\/\{[^}]+\}$/, '');
    const viaBatch = single && pathParams.length === 1 ? this.#batchForms.get(collection) : undefined;
    const target = viaBatch
      ? `path: "${collection}", batch: { key: "$args.id", param: "${viaBatch.param}", style: ${viaBatch.style} }${viaBatch.selection ? `, selection: "${viaBatch.selection}"` : ''}`
      : `path: "${byIdRead ? path.replace(/\{[^}]+\}$/, '{$args.id}') : pathTemplate}"${query}${unwrapped ? `, selection: "${unwrapped.property}"` : ''}`;
    if (byIdRead) params.set(pathParams[0]?.name ?? 'id', 'id');
    const read: GeneratedRead = {
      field: name,
      args: [...globalIds, ...filterArgs, ...parts.headerArgs],
      type,
      directive: `@rest(source: "${this.source}", ${target}${parts.headers})`,
      params,
      byId: refetch,
      description: describe(operation),
    };
    this.graph.reads.set(label, read);
    // Links on the answer (OpenAPI `links`): relations from the type read here, made once every document is read.
    for (const [linkName, link] of Object.entries(links))
      if (!type.startsWith('['))
        this.graph.links.push({ owner: type, name: linkName, link: this.#pointed(link) as LinkObject, from: label });
    return renderRead(read);
  }

  /** `/articles/{id}/attachments`: a field of Article, reading `{id}` as the Article's id. */
  #nestedList(
    { label, path, pathParams, operation }: OperationParts,
    owner: string,
    wrapped: string | undefined,
    type: string,
  ): void {
    const fieldName = camelCase(lastNoun(path));
    const parentPath = path.replace(/\{[^}]+\}/, '{$parent.id}');
    this.#relations.push({
      owner,
      name: fieldName,
      field: `${describe(operation)}  ${fieldName}: ${wrapped ? `[${type}!]!` : type}\n    @rest(source: "${this.source}", path: "${parentPath}"${wrapped ? `, selection: "${wrapped}"` : ''})`,
      from: label,
    });
    this.report.mapped.push(label);
    this.report.guesses.push(`${label}: ${owner}.${fieldName}, reading {${pathParams[0]?.name}} as the ${owner}'s id`);
  }

  /** The field of `type` a read by the path parameter `parameter` is fetched by: `id` for an id-like one, else the field it names. */
  #nodeKey(type: string, parameter: string): string | undefined {
    if (idLike(parameter)) return 'id';
    const named = camelCase(parameter);
    return this.#shapes.types.get(type)?.some((field) => new RegExp(`^(?:\\s*"[^\\n]*"\\n)?\\s*${named}: `).test(field))
      ? named
      : undefined;
  }

  /** An answer that only wraps one object (`{ droplet: {...} }`, DigitalOcean's), with the property it sits under. */
  #wrapperOf(answer: Schema | undefined): { schema: Schema; property: string } | undefined {
    const resolved = this.#shapes.resolve(answer);
    if (!resolved || !isObject(resolved)) return undefined;
    const entries = Object.entries(this.#shapes.merged(resolved).properties ?? {});
    if (entries.length !== 1) return undefined;
    const [property, schema] = entries[0] as [string, Schema];
    const inner = this.#shapes.resolve(schema);
    if (!inner || !isObject(inner) || Object.keys(this.#shapes.merged(inner).properties ?? {}).length === 0)
      return undefined;
    return /^[A-Za-z_][\w-]*$/.test(property) ? { schema, property } : undefined;
  }

  /** `/articles/{id}/attachments` -> Article, when this document reads Articles by id at `/articles/{id}`. */
  #nestedOwner(path: string): string | undefined {
    const match = /^(.*)\/\{[^}]+\}\/[A-Za-z][^/{]*$/.exec(path);
    if (!match) return undefined;
    const ownerPath = `${match[1]}/{`;
    const reads = this.#operations.find(
      ({ path: other, method }) =>
        method === 'get' && other.startsWith(ownerPath) && /^[^/]*\}$/.test(other.slice(ownerPath.length)),
    );
    const answer = reads && successSchema(reads.operation);
    const owner = answer?.kind === 'json' ? this.#shapes.refName(answer.schema) : undefined;
    return owner && this.#byId.has(owner) && this.#shapes.types.get(owner)?.some((field) => /^\s*id: /m.test(field))
      ? owner
      : undefined;
  }

  /** The one array property of an answer that holds only it (`{ data: [...] }`). */
  #onlyArray(schema: Schema | undefined): string | undefined {
    const entries = Object.entries(schema?.properties ?? {});
    return entries.length === 1 && this.#shapes.resolve(entries[0]?.[1])?.type === 'array'
      ? entries[0]?.[0]
      : undefined;
  }

  #importWrite({
    label,
    path,
    method,
    operation,
    pathParams,
    args,
    argName,
    pathTemplate,
    success,
    headerArgs,
    headers,
  }: OperationParts): void {
    if (this.#tokenPaths.has(path)) {
      this.report.skipped.push({
        operation: label,
        reason: "the OAuth2 token endpoint: the source's auth uses it (see the config stub)",
      });
      return;
    }
    const resource = singular(lastNoun(path.replace(/\/\{[^}]+\}$/, '')));
    const name = this.#fieldNames.mutation(
      cleanOperationId(operation.operationId) ?? camelCase(`${WRITE_VERBS[method]} ${resource}`),
      ...alternativeNames(path, operation, WRITE_VERBS[method]),
    );
    const argumentsSoFar = new Set([...args, ...headerArgs].map((declared) => declared.split(':')[0] ?? ''));
    const body = this.#bodyOf(operation, `${resource} ${WRITE_VERBS[method]}`, argumentsSoFar);
    if (body === null) {
      this.report.skipped.push({
        operation: label,
        reason: `its request body is of a type the gateway cannot send (${Object.keys(operation.requestBody?.content ?? {}).join(', ')})`,
      });
      return;
    }
    const returns = success?.kind === 'json' ? this.#shapes.outputType(success.schema, resource) : undefined;
    const last = pathParams.at(-1);
    const declaredArgs = [...args, ...headerArgs, ...(body?.args ?? [])];
    const node = this.#byIdPaths.get(path);
    this.#mutationFields.push(() => {
      // A write on what a Node read reads takes the same global id (`Pet:7`) and answers it, not the upstream id.
      const globalId =
        node !== undefined &&
        last !== undefined &&
        this.#fetchers.has(node) &&
        !declaredArgs.some((declared) => declared.startsWith('id:'));
      const idArg = last && (globalId ? 'id' : argName(last));
      const argsOut = globalId
        ? declaredArgs.map((declared) =>
            declared.startsWith(`${argName(last)}:`) ? `id: ID! @globalId(type: "${node}")` : declared,
          )
        : declaredArgs;
      const lastSegment = last ? `{$args.${argName(last)}}` : '';
      const pathOut =
        globalId && pathTemplate.endsWith(lastSegment)
          ? `${pathTemplate.slice(0, -lastSegment.length)}{$args.id}`
          : pathTemplate;
      const result = returns ? '' : `, result: "${idArg ? `${globalId ? `${node}:` : ''}{$args.${idArg}}` : 'true'}"`;
      return `${describe(operation)}  ${name}${argList(argsOut)}: ${returns ?? (last ? 'ID' : 'Boolean')}\n    @rest(source: "${this.source}", method: ${method.toUpperCase()}, path: "${pathOut}"${headers}${body?.directive ?? ''}${result})`;
    });
    this.report.mapped.push(label);
  }

  /** The JSON, form or multipart body of a write, as arguments and the directive's argument; null when not sendable. */
  #bodyOf(
    operation: Operation,
    hint: string,
    taken: ReadonlySet<string>,
  ): { args: string[]; directive: string } | null | undefined {
    const content = operation.requestBody?.content;
    if (!content) return undefined;
    // Unique beside the path's and headers' arguments (Twilio's form bodies repeat the path's AccountSid).
    const unique = uniqueNames(taken);
    const json = Object.keys(content).find((type) => /json/i.test(type));
    if (json) {
      const type = this.#shapes.inputType(content[json]?.schema, hint);
      const input = unique('input');
      return type ? { args: [`${input}: ${type}!`], directive: `, body: "$args.${input}"` } : null;
    }
    const form = content['application/x-www-form-urlencoded'] ?? content['multipart/form-data'];
    const multipart = !content['application/x-www-form-urlencoded'] && content['multipart/form-data'] !== undefined;
    const schema = this.#shapes.resolve(form?.schema);
    if (!schema?.properties) return null;
    const required = new Set(schema.required ?? []);
    const args: string[] = [];
    const entries: Array<[string, string]> = [];
    for (const [property, value] of Object.entries(schema.properties)) {
      const resolved = this.#shapes.resolve(value);
      const file =
        multipart &&
        (resolved?.format === 'binary' ||
          resolved?.contentMediaType !== undefined ||
          resolved?.contentEncoding !== undefined);
      const type = file ? 'Upload' : (scalarOf(typesOf(resolved ?? {})[0], property, resolved ?? {}) ?? 'String');
      const argument = unique(argumentName(property));
      args.push(`${argument}: ${type}${required.has(property) ? '!' : ''}`);
      entries.push([property, `$args.${argument}`]);
    }
    return { args, directive: `, ${multipart ? 'multipart' : 'form'}: ${mapLiteral(entries)}` };
  }

  // --- Relations by id, and the SDL

  /**
   * `article_id` on a type, with Articles read by id here: `article: Article`.
   * Those it does not read by id here, and the ids marked `x-graftql-ref`,
   * are for relations across documents (relations.ts).
   */
  #relateIds(): void {
    const fetchers = this.#fetchers;
    for (const type of fetchers.keys())
      if (!this.#shapes.types.get(type)?.some((field) => /^\s*id: /m.test(field))) fetchers.delete(type);
    for (const [typeName, fields] of this.#shapes.types) {
      const explicit = new Set(
        this.graph.references.filter((reference) => reference.owner === typeName).map((reference) => reference.idField),
      );
      for (const field of fields) {
        const id = /^\s*(\w+)Id: ID!?/m.exec(field)?.[1];
        if (!id || explicit.has(`${id}Id`)) continue;
        const target = pascalCase(id);
        const fetch = fetchers.get(target);
        if (fetch && !fields.some((other) => new RegExp(`^\\s*${id}:`, 'm').test(other)))
          this.#relations.push({
            owner: typeName,
            name: id,
            field: `  ${id}: ${target} @ref(query: "${fetch}", args: { id: "$parent.${id}Id" })`,
          });
        else if (!fetch) this.graph.references.push({ owner: typeName, idField: `${id}Id` });
      }
    }
    for (const [type, field] of fetchers) this.graph.fetchers.set(type, field);
  }

  /**
   * The fields relations add to a type, but none named as a field it has
   * already (Spotify's `Playlist.images` is a property and a sub-resource):
   * that relation's operation is reported skipped instead.
   */
  #relationsOf(typeName: string, fields: readonly string[]): string[] {
    const names = new Set(fields.map((field) => /^(?:\s*"[^\n]*"\n)?\s*(\w+)/.exec(field)?.[1]));
    const added: string[] = [];
    for (const relation of this.#relations) {
      if (relation.owner !== typeName) continue;
      if (!names.has(relation.name)) {
        names.add(relation.name);
        added.push(relation.field);
        continue;
      }
      const { from } = relation;
      if (!from) continue;
      this.report.mapped = this.report.mapped.filter((label) => label !== from);
      this.report.skipped.push({
        operation: from,
        reason: `${typeName}.${relation.name} would read it, but ${typeName} has a field of that name already`,
      });
    }
    return added;
  }

  #render(): string {
    const fetchers = this.#fetchers;
    const queryFields = this.#queryFields;
    const mutationFields = this.#mutationFields.map((field) => field());
    return [
      `${GENERATED_HEADER} from ${this.api.info?.title ?? 'an OpenAPI document'} (source "${this.source}"). Run it again to update this file;`,
      '# put your own changes in another file of this folder (`extend type …`), which the import never touches.',
      '',
      ...[...this.#shapes.enums].map(
        ([name, values]) => `enum ${name} {\n${values.map((value) => `  ${value}`).join('\n')}\n}\n`,
      ),
      ...[...this.#shapes.types].map(([name, fields]) => {
        const added = this.#relationsOf(name, fields);
        if (fields.length + added.length === 0) return opaque(name);
        if (!fetchers.has(name)) return `type ${name} {\n${[...fields, ...added].join('\n')}\n}\n`;
        // A type refetched by global id is a Node (mapping/generated-types.ts), whose id is never null.
        const own = fields.map((field) => field.replace(/^(\s*id: ID)(?=[ \n]|$)/m, '$1!'));
        const key = this.#nodeKeys.get(name);
        return `type ${name} @node(fetch: "${fetchers.get(name)}"${key ? `, key: "${key}"` : ''}) {\n${[...own, ...added].join('\n')}\n}\n`;
      }),
      ...this.#shapes.unions.values(),
      ...[...this.#shapes.inputs].map(([name, fields]) =>
        fields.length === 0 ? opaque(name) : `input ${name} {\n${fields.join('\n')}\n}\n`,
      ),
      ...(queryFields.length > 0 ? [`extend type Query {\n${queryFields.join('\n')}\n}\n`] : []),
      ...(mutationFields.length > 0 ? [`extend type Mutation {\n${mutationFields.join('\n')}\n}\n`] : []),
      ...(mutationFields.some((field) => field.includes('Upload')) ? ['scalar Upload\n'] : []),
      ...(this.#shapes.usesJson ? ['"Any JSON value, as the source sends it."\nscalar JSON\n'] : []),
    ].join('\n');
  }
}

/** Every `$ref` under `node` (a bundled document is a tree: no object is met twice). */
function* localRefs(node: unknown): Generator<string> {
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') yield value;
    else yield* localRefs(value);
  }
}
