/**
 * What the import reads from OpenAPI schemas and paths without any state of
 * its own: the success answer of an operation, the shapes of a schema, the
 * GraphQL scalar for a JSON type, and how names and descriptions are spelled.
 */
import { descriptionLine } from './description-line.ts';
import type { Operation, Schema } from './document.ts';
import { singular, words } from './names.ts';
import type { GeneratedRead } from './relations.ts';

export const typesOf = (schema: Schema): string[] =>
  Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
/** The schema allows null: `nullable`, `type: [..., 'null']`, or a `{ type: 'null' }` among its `oneOf` / `anyOf`. */
export const nullable = (schema: Schema | undefined): boolean =>
  !!schema &&
  (typesOf(schema).includes('null') ||
    schema.nullable === true ||
    [...((schema.oneOf as Schema[] | undefined) ?? []), ...((schema.anyOf as Schema[] | undefined) ?? [])].some(
      (member) => typesOf(member).includes('null'),
    ));

/** An object with no field GraphQL can express: its values pass as they are. */
export function opaque(name: string): string {
  return `"An object of the source's with no fields the graph can express: passed as JSON."\nscalar ${name}\n`;
}

/** The success answer of an operation: its JSON schema, or why there is none. */
export function successSchema(operation: Operation):
  | {
      kind: 'json';
      schema: Schema | undefined;
      headers: Record<string, unknown>;
      links?: Record<string, unknown>;
      mediaType: string;
    }
  | { kind: 'none' | 'other'; mediaType?: string }
  | undefined {
  const [, response] = Object.entries(operation.responses ?? {}).find(([status]) => /^2/.test(status)) ?? [];
  if (!response) return undefined;
  if (!response.content) return { kind: 'none' };
  // `*/*` with a schema is JSON in practice (XKCD's document says so of its JSON answers).
  const mediaType =
    Object.keys(response.content).find((type) => /json/i.test(type)) ??
    Object.keys(response.content).find((type) => type === '*/*' && response.content?.[type]?.schema);
  if (!mediaType) return { kind: 'other', mediaType: Object.keys(response.content).join(', ') };
  return {
    kind: 'json',
    schema: response.content[mediaType]?.schema,
    headers: response.headers ?? {},
    links: response.links,
    mediaType,
  };
}

/** The shapes an answer may take: the members of a oneOf / anyOf, or itself. */
export function variants(schema: Schema | undefined): Schema[] {
  const members = (schema?.oneOf ?? schema?.anyOf) as Schema[] | undefined;
  return Array.isArray(members) && members.length > 0 ? members : schema ? [schema] : [];
}

export function mergedObject(schema: Schema): Schema {
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

export function isObject(schema: Schema): boolean {
  return (
    schema.type === 'object' ||
    (schema.properties !== undefined && schema.type === undefined) ||
    Array.isArray(schema.allOf)
  );
}

export function scalarOf(kind: string | undefined, field: string, schema: Schema): string | undefined {
  if (kind === 'integer') return idLike(field) ? 'ID' : beyondInt32(schema) ? 'Float' : 'Int';
  if (kind === 'number') return 'Float';
  if (kind === 'boolean') return 'Boolean';
  if (kind === 'string') return idLike(field) ? 'ID' : 'String';
  return undefined;
}

/** An integer GraphQL's Int (32 bits) cannot hold: int64, or a bound or example past 2^31 (GitHub's `storage_in_bytes`). */
function beyondInt32(schema: Schema): boolean {
  if (schema.format === 'int64') return true;
  return [schema.maximum, schema.minimum, schema.example].some(
    (value) => typeof value === 'number' && Math.abs(value) > 2_147_483_647,
  );
}

/** An operationId a person would keep as a field name (`createArticle`), not a generated one (`getUsersByIdUsingGET`). */
export function cleanOperationId(id: string | undefined): string | undefined {
  return id && /^[a-z][a-zA-Z0-9]{2,39}$/.test(id) && !/Using(GET|POST|PUT|PATCH|DELETE)$/.test(id) ? id : undefined;
}

export function idLike(name: string): boolean {
  const parts = words(name);
  return parts.at(-1) === 'id';
}

/** How a field name reads in the source, by its naming convention. */
export function expected(fieldName: string, snake: boolean): string {
  return snake ? words(fieldName).join('_') : fieldName;
}

export function countSnake(schemas: Record<string, Schema>): number {
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
export function lastNoun(path: string): string {
  return (
    segments(path)
      .filter((part) => !part.startsWith('{'))
      .at(-1) ?? 'root'
  );
}

/** A path's segments, without a file extension that is only its format (`/info.0.json` → `info.0`). */
function segments(path: string): string[] {
  return path
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/\.(json|xml|ya?ml|csv)$/i, ''));
}

/** A collection's field name from its path: `/users` → users, `/users/{id}/articles` → userArticles, `/data/2.5/forecast` → forecast. */
export function pathName(path: string): string {
  const nouns = segments(path).filter((part) => !part.startsWith('{') && /^[A-Za-z]/.test(part));
  const last = nouns.at(-1) ?? 'root';
  const owner = path.includes('{') && nouns.length > 1 ? singular(nouns[nouns.length - 2] ?? '') : '';
  return owner ? `${owner} ${last}` : last;
}

/** A generated Query field: its description, arguments and directive. */
export function renderRead({ description, field, args, type, directive }: GeneratedRead): string {
  return `${description}  ${field}${argList(args)}: ${type}\n    ${directive}`;
}

export function argList(args: string[]): string {
  return args.length > 0 ? `(${args.join(', ')})` : '';
}

/** A map literal of a directive (`query`, `form`): an object, or a list of `"name: value"` strings when a name is not a GraphQL name (`page[size]`, `StartTime<`). */
export function mapLiteral(entries: ReadonlyArray<readonly [string, string]>): string {
  if (entries.every(([name]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(name)))
    return `{ ${entries.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(', ')} }`;
  return `[${entries.map(([name, value]) => JSON.stringify(`${name}: ${value}`)).join(', ')}]`;
}

export function describe(item: object | undefined): string {
  const { summary, description } = (item ?? {}) as { summary?: unknown; description?: unknown };
  return descriptionLine(typeof summary === 'string' ? summary : description);
}
