/**
 * Upstream records to the graph's shapes, and back for inputs, compiled
 * once per type and source from the SDL:
 * - a field is read from its own name, the source's spelling of it
 *   (`naming: 'snake_case'`), or its `@from(path:)`, then converted
 *   (`@from(as:)`) and checked against the field's type: a missing non-null
 *   field, a string where an Int belongs or an unknown enum value is schema
 *   drift, which the caller reports as UPSTREAM_BAD_RESPONSE rather than
 *   answering something wrong. A field of a record that drifts holds its
 *   coded error as its value: only a query that selects it fails there (at
 *   its path, as an error value fails in graphql-js and graphql-jit alike),
 *   and the record's other fields answer;
 * - the `id` of a `@node` type answers `<Type>:<key>`;
 * - a list is mapped once per upstream array (memoized by identity), so
 *   a body shared by many requests (in flight, or cached) costs one
 *   mapping of its items; a record's fields are read as a query reads them
 *   (getters on the type's prototype), so a field no query selects costs
 *   nothing.
 * Mapped objects carry the raw record, so templates (`$parent.field`) read
 * upstream values, and their type name, for `Node`.
 */
import {
  type ConstDirectiveNode,
  type GraphQLEnumType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { read } from '../core/dot-path.ts';
import { GraftError } from '../errors.ts';
import { FROM_XML } from '../sources/answer-formats.ts';
import { arg, directive, text } from './directive-args.ts';
import { evaluateExpression } from './expression/evaluate-expression.ts';
import type { Expression } from './expression/parse-expression.ts';
import type { DiscriminatorPlan, NodePlan, Path } from './plan.ts';

export type Naming = 'camelCase' | 'snake_case';
type Conversion = 'NUMBER' | 'STRING' | 'ROUNDED' | 'DATE_TIME_FROM_UNIX_SECONDS' | 'DATE_TIME_FROM_UNIX_MILLISECONDS';

export const RAW = Symbol('graftql.raw');
export const TYPENAME = Symbol('graftql.typename');
const READERS = Symbol('graftql.readers');

export interface MappedObject {
  [key: string]: unknown;
  [RAW]: unknown;
  [TYPENAME]: string;
  /** How its fields are read, by name: what `$parent.field` reads again (for every item of a list: a lookup, not a search). */
  [READERS]: ReadonlyMap<string, FieldReader>;
}

/** An upstream value that does not fit the graph's type; `where` names the field. */
export class DriftError extends Error {
  constructor(readonly where: string) {
    super(`${where} does not match the schema`);
  }
}

/** A record that does not fit its type as the client sees it: the source's bad answer; anything else as it is. */
export function asUpstreamDrift(error: unknown, source: string, status?: number): unknown {
  if (!(error instanceof DriftError)) return error;
  return new GraftError('UPSTREAM_BAD_RESPONSE', `${source} sent a body of an unexpected shape (${error.where}).`, {
    source,
    status,
    cause: error,
  });
}

export interface RecordMappers {
  /**
   * A mapper for values of `type` (with its lists and non-null) from `naming`-spelled records of `source`.
   * What it is given drifts as a whole is thrown; a field of an object that drifts holds its coded error.
   */
  output(type: GraphQLOutputType, naming: Naming, source?: string): (raw: unknown, where: string) => unknown;
  /** The upstream value behind a field of a mapped object (what `$parent.field` reads). */
  upstreamOf(parent: unknown, field: string): unknown;
  /** A graph input value in the upstream's spelling: names and conversions, nulls left out. */
  input(type: GraphQLInputType, naming: Naming): (value: unknown) => unknown;
}

export interface MapperOptions {
  nodes: ReadonlyMap<string, NodePlan>;
  /** `Type.field`s resolved otherwise (mapping directives, hand-written resolvers): not read from records. */
  resolved: ReadonlySet<string>;
  /** `@compute` expressions, by `Type.field`: computed from the record instead of read. */
  computed?: ReadonlyMap<string, Expression>;
  /** How the member of a union's or interface's record is picked, by its name. */
  discriminators?: ReadonlyMap<string, DiscriminatorPlan>;
  /** The graph's object type of this name (a member a discriminator picks). */
  objectType?: (name: string) => GraphQLObjectType;
}

interface FieldReader {
  name: string;
  /** `Type.field`, as drift errors name it. */
  where: string;
  path: Path;
  as: Conversion | undefined;
  /** Computed from the whole record instead of read at `path`. */
  compute: Expression | undefined;
  /** The field is a list: in a record read from XML, one element of it is a one-item list. */
  list: boolean;
  map: (raw: unknown, where: string) => unknown;
}

export function createRecordMappers(options: MapperOptions): RecordMappers {
  return new RecordMapperSet(options);
}

/** The mappers of one graph: each type's mapper made on first use, per naming, and kept. */
class RecordMapperSet implements RecordMappers {
  readonly #objects = new Map<string, (raw: unknown, where: string) => MappedObject>();
  readonly #readers = new Map<string, FieldReader[]>();
  readonly #inputs = new Map<string, (value: unknown) => unknown>();

  constructor(private readonly options: MapperOptions) {}

  output(type: GraphQLOutputType, naming: Naming, source?: string): (raw: unknown, where: string) => unknown {
    if (isNonNullType(type)) {
      const inner = this.output(type.ofType, naming, source);
      return (raw, where) => {
        if (raw === null || raw === undefined) throw new DriftError(`${where} is missing`);
        return inner(raw, where);
      };
    }
    if (isListType(type)) return nullable(listMapper(this.output(type.ofType, naming, source)));
    if (isObjectType(type)) return nullable(this.#object(type, naming, source));
    if (isEnumType(type)) return nullable(enumValue(type));
    if (isScalarType(type)) return nullable(scalar(type.name));
    const discriminator = this.options.discriminators?.get(type.name);
    // Without @discriminate, hand-written code picks the member (the compiler made sure of it).
    return discriminator ? nullable(this.#abstract(discriminator, naming, source)) : (raw) => raw;
  }

  /** A union's or interface's record, mapped as the member its discriminator picks. */
  #abstract(plan: DiscriminatorPlan, naming: Naming, source?: string): (raw: unknown, where: string) => unknown {
    const objectType = this.options.objectType;
    if (!objectType) throw new Error(`@discriminate on ${plan.type} needs the graph's object types`);
    const members = new Map(plan.members.map((name) => [name, this.#object(objectType(name), naming, source)]));
    return (raw, where) => {
      const picked = pickMember(plan, raw);
      const map = picked.member === undefined ? undefined : members.get(picked.member);
      if (!map) throw new DriftError(`${where} is a ${plan.type} of no member: ${picked.why}`);
      return map(raw, where);
    };
  }

  #object(type: GraphQLObjectType, naming: Naming, source?: string): (raw: unknown, where: string) => MappedObject {
    const key = `${type.name}|${naming}|${source ?? ''}`;
    let map = this.#objects.get(key);
    if (map) return map;
    // What every object of this type shares sits on its prototype, not on each object: its fields too, as getters.
    // Not memoized by the record (a list is, by its array): a WeakMap entry per record cost more, in its set and in
    // the collector's work on weak entries, than the one object and property it would save.
    let shared: object | undefined;
    map = (raw, where) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new DriftError(`${where} is not an object`);
      shared ??= this.#prototypeOf(type, naming, source);
      const mapped = Object.create(shared) as MappedObject;
      mapped[RAW] = raw;
      return mapped;
    };
    this.#objects.set(key, map);
    return map;
  }

  /**
   * The prototype of a type's mapped objects: each field a getter that reads
   * and checks it from the record when a query reads it, so that a record
   * costs only the fields selected (100 posts of which a query reads the
   * title map 100 titles, not every field of every post). A field read again
   * is read again: a scalar's read is a property and a check, an object's a
   * new object over the same record, a list's mapping is memoized by the
   * upstream array's identity.
   */
  #prototypeOf(type: GraphQLObjectType, naming: Naming, source: string | undefined): object {
    const fields = this.#readersOf(type, naming, source);
    const prototype = { [TYPENAME]: type.name, [READERS]: new Map(fields.map((field) => [field.name, field])) };
    for (const field of fields)
      Object.defineProperty(prototype, field.name, {
        enumerable: true,
        get(this: MappedObject) {
          return fieldValue(this[RAW], field, source);
        },
      });
    return prototype;
  }

  /** The fields of a type read from its records, compiled on first use (types refer to each other). */
  #readersOf(type: GraphQLObjectType, naming: Naming, source: string | undefined): FieldReader[] {
    const key = `${type.name}|${naming}|${source ?? ''}`;
    const known = this.#readers.get(key);
    if (known) return known;
    const node = this.options.nodes.get(type.name);
    const list: FieldReader[] = [];
    this.#readers.set(key, list);
    for (const field of Object.values(type.getFields())) {
      if (this.options.resolved.has(`${type.name}.${field.name}`)) continue;
      const from = directive(field.astNode?.directives, 'from');
      const as = text(arg(from, 'as')) as Conversion | undefined;
      if (node && field.name === 'id') {
        const keyField = type.getFields()[node.key];
        list.push({
          name: 'id',
          where: `${type.name}.id`,
          path: pathOf(keyField?.astNode?.directives, node.key, naming),
          as: undefined,
          compute: undefined,
          list: false,
          map: globalId(type.name, `${type.name}.id`),
        });
        continue;
      }
      list.push({
        name: field.name,
        where: `${type.name}.${field.name}`,
        path: pathOf(field.astNode?.directives, field.name, naming),
        as,
        compute: this.options.computed?.get(`${type.name}.${field.name}`),
        list: isListType(getNullableType(field.type)),
        map: this.output(field.type, naming, source),
      });
    }
    return list;
  }

  input(type: GraphQLInputType, naming: Naming): (value: unknown) => unknown {
    if (isNonNullType(type)) return this.input(type.ofType, naming);
    if (isListType(type)) {
      const item = this.input(type.ofType, naming);
      return (value) =>
        Array.isArray(value) ? value.map(item) : value === null || value === undefined ? value : item(value);
    }
    if (isEnumType(type)) {
      const spelled = new Map(
        type
          .getValues()
          .map((value) => [value.name, text(arg(directive(value.astNode?.directives, 'from'), 'value')) ?? value.name]),
      );
      return (value) => (typeof value === 'string' ? (spelled.get(value) ?? value) : value);
    }
    if (!isInputObjectType(type)) return (value) => value;
    const key = `${type.name}|${naming}`;
    const known = this.#inputs.get(key);
    if (known) return known;
    let fields: Array<{ name: string; path: Path; map: (value: unknown) => unknown }> | undefined;
    const map = (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null) return value;
      fields ??= Object.values(type.getFields()).map((field) => {
        const directives = field.astNode?.directives;
        const as = text(arg(directive(directives, 'from'), 'as')) as Conversion | undefined;
        const inner = this.input(field.type, naming);
        // Global ids were decoded with the arguments (run/arguments.ts): here only names and conversions.
        return {
          name: field.name,
          path: pathOf(directives, field.name, naming),
          map: (fieldValue: unknown) => convert(inner(fieldValue), as),
        };
      });
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        const fieldValue = (value as Record<string, unknown>)[field.name];
        if (fieldValue === null || fieldValue === undefined) continue;
        write(out, field.path, field.map(fieldValue));
      }
      return out;
    };
    this.#inputs.set(key, map);
    return map;
  }

  upstreamOf(parent: unknown, field: string): unknown {
    if (typeof parent !== 'object' || parent === null) return undefined;
    const fields = (parent as Partial<MappedObject>)[READERS];
    // An object a hand-written resolver made is in the graph's shape already.
    if (!fields) return (parent as Record<string, unknown>)[field];
    const reader = fields.get(field);
    if (!reader) return undefined;
    const raw = (parent as MappedObject)[RAW];
    return reader.compute ? evaluateExpression(reader.compute, raw) : read(raw, reader.path);
  }
}

/** A field of a mapped record as the graph reads it; a value that does not fit its type is the field's coded error. */
function fieldValue(raw: unknown, field: FieldReader, source: string | undefined): unknown {
  try {
    return field.map(upstreamValue(raw, field), field.where);
  } catch (error) {
    if (!(error instanceof DriftError)) throw error;
    return source === undefined ? error : asUpstreamDrift(error, source);
  }
}

/** A field's value in the record before its type is checked: read and converted, or computed. */
function upstreamValue(raw: unknown, field: FieldReader): unknown {
  if (field.compute) return evaluateExpression(field.compute, raw);
  const value = convert(read(raw, field.path), field.as);
  return field.list ? asXmlList(value, raw) : value;
}

/** XML does not say which elements are lists: where the graph says one is, a lone element read from `holder` is a list of one. */
export function asXmlList(value: unknown, holder: unknown): unknown {
  if (value === null || value === undefined || Array.isArray(value)) return value;
  return typeof holder === 'object' && holder !== null && FROM_XML in holder ? [value] : value;
}

/** The member a discriminator picks for a record, or why none. */
function pickMember(plan: DiscriminatorPlan, raw: unknown): { member?: string; why: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { why: 'not an object' };
  let why = 'nothing picks one';
  if (plan.field) {
    const value = read(raw, plan.field);
    if (typeof value === 'string' || typeof value === 'number') {
      const member = plan.values ? plan.values.get(String(value)) : String(value);
      if (member !== undefined && plan.members.includes(member)) return { member, why };
    }
    why = `${plan.field.join('.')} is ${JSON.stringify(value ?? null).slice(0, 40)}`;
  }
  for (const [path, member] of plan.has) {
    const value = read(raw, path);
    if (value !== undefined && value !== null) return { member, why };
  }
  return plan.fallback ? { member: plan.fallback, why } : { why };
}

function nullable(map: (raw: unknown, where: string) => unknown): (raw: unknown, where: string) => unknown {
  return (raw, where) => (raw === null || raw === undefined ? null : map(raw, where));
}

/** A list mapped item by item, once per array (a cached answer's list is the same array while it is fresh). */
function listMapper(item: (raw: unknown, where: string) => unknown): (raw: unknown, where: string) => unknown {
  const memo = new WeakMap<unknown[], unknown[]>();
  return (raw, where) => {
    if (!Array.isArray(raw)) throw new DriftError(`${where} is not a list`);
    const known = memo.get(raw);
    if (known) return known;
    const mapped = new Array<unknown>(raw.length);
    for (let index = 0; index < raw.length; index++) {
      try {
        mapped[index] = item(raw[index], where);
      } catch (error) {
        // Named by index only when it drifts: no string per item on the way that succeeds.
        if (error instanceof DriftError) item(raw[index], `${where}.${index}`);
        throw error;
      }
    }
    memo.set(raw, mapped);
    return mapped;
  };
}

/** Where a field is in the record: `@from(path:)`, else its name as the source spells it. */
function pathOf(directives: readonly ConstDirectiveNode[] | undefined, name: string, naming: Naming): Path {
  const path = text(arg(directive(directives, 'from'), 'path'));
  if (path !== undefined) return path.split('.');
  return [naming === 'snake_case' ? toSnakeCase(name) : name];
}

export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter, index: number) => `${index > 0 ? '_' : ''}${letter.toLowerCase()}`);
}

function write(target: Record<string, unknown>, path: Path, value: unknown): void {
  let current = target;
  path.slice(0, -1).forEach((part) => {
    if (typeof current[part] !== 'object' || current[part] === null) current[part] = {};
    current = current[part] as Record<string, unknown>;
  });
  current[path.at(-1) as string] = value;
}

function convert(value: unknown, as: Conversion | undefined): unknown {
  if (as === undefined || value === null || value === undefined) return value;
  switch (as) {
    case 'NUMBER':
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'STRING':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'ROUNDED':
      return typeof value === 'number' ? Math.round(value) : value;
    case 'DATE_TIME_FROM_UNIX_SECONDS':
      return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000).toISOString() : value;
    case 'DATE_TIME_FROM_UNIX_MILLISECONDS':
      return typeof value === 'number' && Number.isFinite(value) ? new Date(value).toISOString() : value;
  }
}

/** Values as GraphQL itself would serialise them, or drift: an upstream that changed a type must not be answered as if it had not. */
function scalar(name: string): (raw: unknown, where: string) => unknown {
  switch (name) {
    case 'String':
      return (raw, where) =>
        typeof raw === 'string'
          ? raw
          : typeof raw === 'number' || typeof raw === 'boolean'
            ? String(raw)
            : drift(where, 'a string');
    case 'ID':
      return (raw, where) =>
        typeof raw === 'string'
          ? raw
          : typeof raw === 'number' && Number.isInteger(raw)
            ? String(raw)
            : drift(where, 'an id');
    case 'Int':
      return (raw, where) =>
        typeof raw === 'number' && Number.isInteger(raw) && Math.abs(raw) <= 2 ** 31 ? raw : drift(where, 'an integer');
    case 'Float':
      return (raw, where) => (typeof raw === 'number' && Number.isFinite(raw) ? raw : drift(where, 'a number'));
    case 'Boolean':
      return (raw, where) => (typeof raw === 'boolean' ? raw : drift(where, 'true or false'));
    default:
      return (raw) => raw;
  }
}

function enumValue(type: GraphQLEnumType): (raw: unknown, where: string) => unknown {
  const byUpstream = new Map(
    type
      .getValues()
      .map((value) => [text(arg(directive(value.astNode?.directives, 'from'), 'value')) ?? value.name, value.name]),
  );
  return (raw, where) => {
    const name = typeof raw === 'string' || typeof raw === 'number' ? byUpstream.get(String(raw)) : undefined;
    return name ?? drift(where, `one of ${[...byUpstream.keys()].join(', ')}`);
  };
}

function globalId(typeName: string, where: string): (raw: unknown) => string {
  return (raw) => {
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isInteger(raw)))
      throw new DriftError(`${where} has no upstream id`);
    return `${typeName}:${raw}`;
  };
}

function drift(where: string, expected: string): never {
  throw new DriftError(`${where} is not ${expected}`);
}
