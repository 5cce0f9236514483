/**
 * A REST service made from an OpenAPI document, as Prism's dynamic mode
 * makes one: each operation of the document answers its success status with
 * a value generated from its answer's schema (examples of scalars kept when
 * they fit their type; objects with every property, lists of two, `oneOf`
 * and `anyOf` as their first non-null shape, `allOf` merged). Hand-written,
 * not Prism: Prism's CLI pulls some 200 packages, and what the corpus test
 * needs is only this. Listens on 127.0.0.1; counts its calls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenApiDocument, Operation, Schema } from '../../src/openapi/document.ts';

export interface OpenApiMock {
  /** The mock's origin with the document's base path (its first server's path). */
  url: string;
  /** Each request, `METHOD /path?query`. */
  calls: string[];
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  status: number;
  mediaType: string | undefined;
  schema: Schema | undefined;
}

/** Levels of nested objects generated; deeper ones are left out (or empty), as recursive schemas need. */
const MAX_DEPTH = 6;

export async function startOpenApiMock(api: OpenApiDocument): Promise<OpenApiMock> {
  const base = basePath(api);
  const routes = routesOf(api);
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const local = path.startsWith(base) ? path.slice(base.length) || '/' : path;
    const route = routes.find((each) => each.method === req.method && each.pattern.test(local));
    if (!route) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no route"}');
    if (!route.mediaType) return void res.writeHead(route.status).end();
    const body = sample(api, route.schema, 0, new Set());
    res.writeHead(route.status, { 'content-type': route.mediaType }).end(JSON.stringify(body ?? null));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`,
    calls,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function basePath(api: OpenApiDocument): string {
  const first = api.servers?.[0]?.url ?? '';
  try {
    return new URL(first, 'http://placeholder').pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

function routesOf(api: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(api.paths ?? {}))
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = pointed(api, item[method]) as Operation | undefined;
      if (!operation) continue;
      const [status = '200', response] =
        Object.entries(operation.responses ?? {})
          .map(([code, value]) => [code, pointed(api, value)] as const)
          .find(([code]) => /^2/.test(code)) ?? [];
      const content = response?.content ?? {};
      const json = Object.keys(content).find((type) => /json/i.test(type));
      const anything = content['*/*']?.schema ? '*/*' : undefined;
      const mediaType = json ?? anything;
      // A path key may carry `?query` or `#fragment` (some vendors' do): only the path is matched.
      const literal = (path.split(/[?#]/)[0] ?? path).replace(/[.*+^$()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(`^${literal.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
      routes.push({
        method: method.toUpperCase(),
        pattern,
        status: Number(status.replace(/X/gi, '0')) || 200,
        mediaType: mediaType === '*/*' ? 'application/json' : mediaType,
        schema: mediaType ? content[mediaType]?.schema : undefined,
      });
    }
  // A literal path before a templated one of the same shape (`/users/me` before `/users/{id}`).
  return routes.sort((a, b) => templated(a) - templated(b));
}

const templated = (route: Route) => (route.pattern.source.match(/\[\^\/\]\+/g) ?? []).length;

/** A `$ref` to anywhere in the document, followed. */
function pointed<T>(api: OpenApiDocument, value: T): T {
  let current: unknown = value;
  for (let hops = 0; hops < 16; hops++) {
    const ref = (current as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) break;
    current = ref
      .slice(2)
      .split('/')
      .map((part) => decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~')))
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], api);
  }
  return current as T;
}

/** A record of a oneOf's member with the value its discriminator names that member by, as a real API sends it. */
function discriminated(api: OpenApiDocument, discriminator: unknown, member: Schema | undefined, value: unknown) {
  const { propertyName, mapping = {} } = (discriminator ?? {}) as { propertyName?: string; mapping?: object };
  const ref = member?.$ref;
  if (!propertyName || !ref || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const named = Object.entries(mapping).find(([, target]) => target === ref || ref.endsWith(`/${String(target)}`));
  // A value the member's schema fixes (an enum of one) is what the API sends; else the mapping's, else the schema's name.
  if (
    !named &&
    typeof (value as Record<string, unknown>)[propertyName] === 'string' &&
    fixes(api, member, propertyName)
  )
    return value;
  return { ...value, [propertyName]: named?.[0] ?? decodeURIComponent(ref.split('/').at(-1) ?? '') };
}

/** Whether the member's schema declares one value of the property. */
function fixes(api: OpenApiDocument, member: Schema, property: string): boolean {
  const schema = pointed(api, member);
  const merged = schema && (mergedParts(api, schema, new Set()) ?? schema);
  const values = pointed(api, merged?.properties?.[property])?.enum;
  return Array.isArray(values) && values.length === 1;
}

/** A value of the schema; `seen` holds the references being generated, so that a recursive schema ends. */
function sample(api: OpenApiDocument, given: Schema | undefined, depth: number, seen: Set<string>): unknown {
  if (!given) return {};
  const ref = given.$ref;
  if (ref && seen.has(ref)) return undefined;
  const schema = pointed(api, given);
  if (!schema) return undefined;
  const inner = ref ? new Set([...seen, ref]) : seen;
  const allOf = schema.allOf as Schema[] | undefined;
  if (Array.isArray(allOf)) {
    // The parts merged first: a part may require what another part declares.
    const merged = mergedParts(api, schema, new Set());
    if (merged) return sample(api, merged, depth, inner);
    const values: Record<string, unknown> = {};
    for (const part of allOf) Object.assign(values, asObject(sample(api, part, depth, inner)));
    return values;
  }
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (Array.isArray(choices)) {
    const first = choices.find((choice) => !typesOf(pointed(api, choice) ?? {}).includes('null')) ?? choices[0];
    return discriminated(api, schema.discriminator, first, sample(api, first, depth, inner));
  }
  if (Array.isArray(schema.enum)) return schema.enum.find((value) => value !== null) ?? null;
  if (schema.const !== undefined) return schema.const;
  // Without a type, `items` makes a list and `properties` an object, as the import reads them.
  const type =
    typesOf(schema).find((kind) => kind !== 'null') ??
    (schema.items ? 'array' : schema.properties ? 'object' : undefined);
  switch (type) {
    case 'array':
      return depth >= MAX_DEPTH
        ? []
        : [sample(api, schema.items, depth + 1, inner), sample(api, schema.items, depth + 1, inner)].filter(
            (item) => item !== undefined,
          );
    case 'object':
    case undefined: {
      const value: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (depth >= MAX_DEPTH && !required.has(name)) continue;
        const item = sample(api, property, depth + 1, inner);
        if (item !== undefined) value[name] = item;
      }
      return value;
    }
    case 'string':
      return fitting(schema.example, 'string') ?? stringOf(schema.format);
    case 'integer':
      return fitting(schema.example, 'integer') ?? 1;
    case 'number':
      // A count declared `number` (GitHub's total_count) is whole in a real answer; a float or double need not be.
      return fitting(schema.example, 'number') ?? (schema.format === 'float' || schema.format === 'double' ? 1.5 : 2);
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** An `allOf` of objects as one object schema (properties and required of every part); undefined when a part is not an object. */
function mergedParts(api: OpenApiDocument, schema: Schema, seen: Set<Schema>): Schema | undefined {
  if (seen.has(schema)) return { type: 'object', properties: {} };
  seen.add(schema);
  const properties: Record<string, Schema> = { ...schema.properties };
  const required = new Set(schema.required ?? []);
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) {
    const resolved = pointed(api, part);
    if (!resolved) continue;
    const flat = Array.isArray(resolved.allOf) ? mergedParts(api, resolved, seen) : resolved;
    if (!flat || (flat.type !== undefined && flat.type !== 'object') || flat.oneOf || flat.anyOf) return undefined;
    Object.assign(properties, flat.properties);
    for (const name of flat.required ?? []) required.add(name);
  }
  return { type: 'object', properties, required: [...required] };
}

const typesOf = (schema: Schema): string[] =>
  Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** An example kept only when it is of the schema's type. */
function fitting(example: unknown, type: 'string' | 'integer' | 'number'): unknown {
  if (type === 'string') return typeof example === 'string' ? example : undefined;
  if (type === 'integer') return Number.isInteger(example) ? example : undefined;
  return typeof example === 'number' ? example : undefined;
}

function stringOf(format: unknown): string {
  switch (format) {
    case 'date-time':
      return '2026-01-02T03:04:05Z';
    case 'date':
      return '2026-01-02';
    case 'uri':
    case 'url':
      return 'https://example.com/a';
    case 'email':
      return 'someone@example.com';
    case 'uuid':
      return '123e4567-e89b-12d3-a456-426614174000';
    default:
      return 'text';
  }
}
