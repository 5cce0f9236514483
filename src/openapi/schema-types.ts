/**
 * The GraphQL types an OpenAPI document's schemas declare, declared as the
 * operations use them: objects (with `allOf` merged), enums (one per set of
 * values), inputs, unions of `oneOf` members a record tells apart
 * (union-shapes.ts), other `oneOf` / `anyOf` merged or JSON, and the JSON
 * scalar for free-form objects. The `$ref`s of a bundled document are
 * followed wherever they point.
 */
import type { OpenApiDocument, Schema } from './document.ts';
import type { ImportReport } from './import-report.ts';
import { camelCase, constantCase, pascalCase, singular, uniqueNames } from './names.ts';
import type { GeneratedGraph } from './relations.ts';
import {
  countSnake,
  describe,
  expected,
  isObject,
  mergedObject,
  nullable,
  scalarOf,
  typesOf,
} from './schema-shapes.ts';
import { discrimination, type UnionMember } from './union-shapes.ts';

export class SchemaTypes {
  readonly #schemas: Record<string, Schema>;
  /** The document spells its properties in snake_case: fields read as such need no @from. */
  readonly snake: boolean;
  readonly types = new Map<string, string[]>();
  readonly enums = new Map<string, string[]>();
  readonly inputs = new Map<string, string[]>();
  /** Unions of oneOf / anyOf members a record tells apart, rendered whole (`union Pet @discriminate(...) = Cat | Dog`). */
  readonly unions = new Map<string, string>();
  /** The union each oneOf / anyOf schema was declared as, or null when its members are merged instead (#collapsed). */
  readonly unionOf = new WeakMap<Schema, string | null>();
  /** A type name no other type of the import has (reserved names qualified with the source's). */
  readonly typeNames: (name: string) => string;
  /** Free-form objects (no properties) are the JSON scalar, declared once when used. */
  usesJson = false;
  readonly #schemaTypes = new Map<string, string>();
  /** The type each inline object schema was declared as. */
  readonly inlineTypes = new WeakMap<Schema, string>();
  /** Each `oneOf` / `anyOf` schema as one (#collapsed), made once: the same schema is the same merged object. */
  readonly #collapses = new WeakMap<Schema, Schema | 'json'>();
  /** One enum per set of values: a parameter shared by several operations (`units`) is one type. */
  readonly #enumsByValues = new Map<string, string>();

  constructor(
    private readonly api: OpenApiDocument,
    typeNames: (name: string) => string,
    private readonly report: ImportReport,
    private readonly graph: GeneratedGraph,
  ) {
    this.#schemas = api.components?.schemas ?? {};
    this.snake = countSnake(this.#schemas) > 0;
    this.typeNames = typeNames;
    for (const name of Object.keys(this.#schemas)) this.#schemaTypes.set(name, typeNames(pascalCase(name)));
  }

  /** The schema a `$ref` points at (through any chain of them), or the schema itself; undefined for a loop or nowhere. */
  resolve(schema: Schema | undefined, seen = new Set<string>()): Schema | undefined {
    if (!schema?.$ref) return schema;
    if (seen.has(schema.$ref)) return undefined;
    seen.add(schema.$ref);
    // Bundling a document of several files points a schema's second use at its first, anywhere (`#/paths/...`).
    const target = schema.$ref.startsWith('#/components/schemas/')
      ? this.#schemas[decodeURIComponent(schema.$ref.slice(21))]
      : (atPointer(this.api, schema.$ref) as Schema | undefined);
    return this.resolve(target, seen);
  }

  /** The type a `$ref` to one of the document's named schemas declares. */
  refName(schema: Schema | undefined): string | undefined {
    return schema?.$ref?.startsWith('#/components/schemas/')
      ? this.#schemaTypes.get(decodeURIComponent(schema.$ref.slice(21)))
      : undefined;
  }

  /**
   * A `oneOf` / `anyOf` as one schema a field can have: without its `null`
   * member (the nullable idioms `anyOf: [$ref, null]`, `oneOf: [null, $ref]`),
   * the one member left as it is; members that are all objects merged into
   * one object whose fields are all optional (a record of any member fits);
   * members of different kinds (Stripe's expandable `anyOf: [string, $ref]`,
   * Slack's object-or-list) the JSON scalar, which passes either as sent.
   * A schema without members is itself.
   */
  collapsed(schema: Schema | undefined, depth = 0): Schema | 'json' | undefined {
    const resolved = this.resolve(schema);
    const known = resolved && this.#collapses.get(resolved);
    if (known) return known;
    const collapsed = this.#collapsing(schema, resolved, depth);
    if (resolved && collapsed) this.#collapses.set(resolved, collapsed);
    return collapsed;
  }

  #collapsing(schema: Schema | undefined, resolved: Schema | undefined, depth: number): Schema | 'json' | undefined {
    const members = (resolved?.oneOf ?? resolved?.anyOf) as Schema[] | undefined;
    if (!resolved || !Array.isArray(members) || members.length === 0 || hasOwnShape(resolved)) return schema;
    if (depth > 8) return 'json'; // members that are members of themselves
    const present = members.filter((member) => {
      const kinds = typesOf(this.resolve(member) ?? {});
      return !(kinds.length === 1 && kinds[0] === 'null');
    });
    if (present.length === 1) return this.collapsed(present[0], depth + 1);
    const shapes = present.map((member) => this.resolve(member) ?? {});
    if (shapes.length > 0 && shapes.every((shape) => isObject(shape))) {
      const properties: Record<string, Schema> = {};
      for (const shape of shapes)
        for (const [name, property] of Object.entries(this.merged(shape).properties ?? {}))
          properties[name] = name in properties ? this.#either(properties[name] as Schema, property) : property;
      return { type: 'object', properties };
    }
    const kinds = new Set(shapes.map((shape) => typesOf(shape).find((kind) => kind !== 'null') ?? 'object'));
    if (kinds.size === 1 && !kinds.has('object') && !kinds.has('array')) return shapes[0];
    return 'json';
  }

  /**
   * A property two merged members both have, as a schema either's value fits:
   * the same schema; enums of strings with the values of both (Stripe's
   * `object: card` and `object: bank_account`); one scalar kind; else a
   * free-form object (JSON).
   */
  #either(first: Schema, second: Schema): Schema {
    if (first === second || JSON.stringify(first) === JSON.stringify(second)) return first;
    const [a, b] = [this.resolve(first) ?? {}, this.resolve(second) ?? {}];
    const strings = (schema: Schema) =>
      Array.isArray(schema.enum) && schema.enum.every((value) => typeof value === 'string');
    if (strings(a) && strings(b))
      return { type: 'string', enum: [...new Set([...(a.enum as string[]), ...(b.enum as string[])])] };
    const [kindA, kindB] = [a, b].map((schema) => typesOf(schema).find((kind) => kind !== 'null'));
    if (kindA && kindA === kindB && kindA !== 'object' && kindA !== 'array') return { type: kindA };
    return { type: 'object' };
  }

  /** An object schema with its `allOf` parts merged in, `$ref`s to the document's schemas followed (each once: some documents' parts refer back). */
  merged(schema: Schema, seen: ReadonlySet<Schema> = new Set([schema])): Schema {
    const parts = Array.isArray(schema.allOf) ? (schema.allOf as Schema[]) : [];
    return mergedObject({
      ...schema,
      allOf: parts.flatMap((part) => {
        const resolved = this.resolve(part) ?? {};
        if (seen.has(resolved)) return [];
        return [Array.isArray(resolved.allOf) ? this.merged(resolved, new Set([...seen, resolved])) : resolved];
      }),
    });
  }

  /** A schema resolved, with its `allOf` parts merged when it is an object (Spotify's pages: `allOf: [PagingObject, { items }]`). */
  objectShape(schema: Schema | undefined): Schema | undefined {
    const resolved = this.resolve(schema);
    return resolved && isObject(resolved) ? this.merged(resolved) : resolved;
  }

  /** The GraphQL type of a schema, declaring object and enum types as needed (`hint` names inline ones). */
  outputType(given: Schema | undefined, hint: string, field = ''): string | undefined {
    const union = this.#unionType(given, hint);
    if (union) return union;
    const schema = this.collapsed(given);
    if (schema === 'json') {
      this.usesJson = true;
      return 'JSON';
    }
    const named = this.refName(schema);
    const resolved = this.resolve(schema);
    if (!resolved) return undefined;
    if (isObject(resolved) && Object.keys(this.merged(resolved).properties ?? {}).length === 0) {
      this.usesJson = true;
      return 'JSON';
    }
    if (named && isObject(resolved)) {
      this.#declareObject(named, resolved);
      return named;
    }
    const kinds = typesOf(resolved).filter((kind) => kind !== 'null');
    if (Array.isArray(resolved.enum) && resolved.enum.every((value) => typeof value === 'string'))
      return this.declareEnum(named ?? pascalCase(hint), resolved.enum as string[]);
    if (kinds.includes('array') || resolved.items) {
      const item = this.outputType(resolved.items, singular(hint));
      return item && `[${item}${nullable(this.resolve(resolved.items)) ? '' : '!'}]`;
    }
    if (isObject(resolved)) {
      // An inline object is one type however often it is met: a recursive one ends where it began.
      const name = named ?? this.inlineTypes.get(resolved) ?? this.typeNames(pascalCase(hint));
      this.inlineTypes.set(resolved, name);
      this.#declareObject(name, resolved);
      return name;
    }
    return scalarOf(kinds[0], field, resolved);
  }

  /**
   * A `oneOf` / `anyOf` of named object schemas as a union, when records say
   * which member they are (union-shapes.ts); undefined when they do not, and
   * the members are merged into one object (#collapsed).
   */
  #unionType(given: Schema | undefined, hint: string): string | undefined {
    const resolved = this.resolve(given);
    const choices = resolved && !hasOwnShape(resolved) ? (resolved.oneOf ?? resolved.anyOf) : undefined;
    if (!resolved || !Array.isArray(choices)) return undefined;
    const known = this.unionOf.get(resolved);
    if (known !== undefined) return known ?? undefined;
    this.unionOf.set(resolved, null); // a member that is its own union's member is merged, not looped over
    const present = (choices as Schema[]).filter((choice) => {
      const kinds = typesOf(this.resolve(choice) ?? {});
      return !(kinds.length === 1 && kinds[0] === 'null');
    });
    const members = present.flatMap((choice): UnionMember[] => {
      const type = this.refName(choice);
      const schema = this.resolve(choice);
      if (!type || !choice.$ref || !schema || !isObject(schema) || Array.isArray(schema.oneOf ?? schema.anyOf))
        return [];
      const merged = this.merged(schema);
      // A member without properties is the JSON scalar (#outputType), which no union can hold.
      return Object.keys(merged.properties ?? {}).length > 0 ? [{ type, ref: choice.$ref, schema: merged }] : [];
    });
    const distinct = new Set(members.map((member) => member.type)).size === present.length;
    const discriminate =
      present.length > 1 && members.length === present.length && distinct
        ? discrimination(members, resolved.discriminator)
        : undefined;
    if (!discriminate) return undefined;
    for (const member of present) this.outputType(member, hint);
    const name = this.refName(given) ?? this.typeNames(pascalCase(hint));
    this.unionOf.set(resolved, name);
    this.unions.set(name, `union ${name} ${discriminate} = ${members.map((member) => member.type).join(' | ')}\n`);
    return name;
  }

  #declareObject(name: string, schema: Schema): void {
    if (this.types.has(name)) return;
    this.types.set(name, []);
    const merged = this.merged(schema);
    const required = new Set(merged.required ?? []);
    const fields: string[] = [];
    const unique = uniqueNames();
    const propertyFields = new Map<string, string>();
    this.graph.fields.set(name, propertyFields);
    for (const [property, value] of Object.entries(merged.properties ?? {})) {
      if (property.includes('.')) {
        this.report.guesses.push(
          `${name}.${property}: a name with a dot, which @from(path:) would read as a path (left out)`,
        );
        continue;
      }
      const type = this.outputType(value, `${name} ${property}`, property);
      if (!type) {
        this.report.guesses.push(`${name}.${property}: its schema has no GraphQL shape (left out)`);
        continue;
      }
      const fieldName = unique(camelCase(property));
      const from = expected(fieldName, this.snake) === property ? '' : ` @from(path: ${JSON.stringify(property)})`;
      const bang = required.has(property) && !nullable(this.resolve(value)) ? '!' : '';
      fields.push(`${describe(this.resolve(value))}  ${fieldName}: ${type}${bang}${from}`);
      propertyFields.set(property, fieldName);
      // `author_id: { x-graftql-ref: User }`: the id of a User, which this or another document reads by id.
      const explicit = (value as Record<string, unknown>)['x-graftql-ref'] ?? this.resolve(value)?.['x-graftql-ref'];
      if (typeof explicit === 'string')
        this.graph.references.push({ owner: name, idField: fieldName, target: explicit });
    }
    this.types.set(name, fields);
  }

  declareEnum(hint: string, values: string[]): string {
    const key = JSON.stringify(values);
    const known = this.#enumsByValues.get(key);
    if (known) return known;
    const name = this.typeNames(hint);
    this.#enumsByValues.set(key, name);
    const unique = uniqueNames();
    this.enums.set(
      name,
      values.map((value) => {
        const spelled = unique(constantCase(value));
        return spelled === value ? value : `${spelled} @from(value: ${JSON.stringify(value)})`;
      }),
    );
    return name;
  }

  inputType(given: Schema | undefined, hint: string): string | undefined {
    const schema = this.collapsed(given);
    if (schema === 'json') {
      this.usesJson = true;
      return 'JSON';
    }
    const resolved = this.resolve(schema);
    if (!resolved) return undefined;
    if (!isObject(resolved)) {
      const kinds = typesOf(resolved).filter((kind) => kind !== 'null');
      if (kinds.includes('array') || resolved.items) {
        const item = this.inputType(resolved.items, singular(hint));
        return item && `[${item}!]`;
      }
      if (Array.isArray(resolved.enum) && resolved.enum.every((value) => typeof value === 'string'))
        return this.declareEnum(pascalCase(hint), resolved.enum as string[]);
      return scalarOf(kinds[0], hint, resolved);
    }
    if (Object.keys(this.merged(resolved).properties ?? {}).length === 0) {
      this.usesJson = true;
      return 'JSON';
    }
    const base = this.refName(schema) ?? pascalCase(hint);
    const name = base.endsWith('Input') ? base : `${base}Input`;
    if (this.inputs.has(name)) return name;
    this.inputs.set(name, []);
    this.inputs.set(name, this.#inputFields(name, this.merged(resolved)));
    return name;
  }

  #inputFields(name: string, merged: Schema): string[] {
    const required = new Set(merged.required ?? []);
    const fields: string[] = [];
    const unique = uniqueNames();
    for (const [property, value] of Object.entries(merged.properties ?? {})) {
      if (this.resolve(value)?.readOnly || property.includes('.')) continue;
      const type = this.inputType(value, `${name} ${property}`);
      if (!type) continue;
      const fieldName = unique(camelCase(property));
      // An integer id is an ID in the graph, and goes back as a number.
      const number = type === 'ID' && typesOf(this.resolve(value) ?? {}).includes('integer');
      const fromArgs = [
        ...(expected(fieldName, this.snake) === property ? [] : [`path: ${JSON.stringify(property)}`]),
        ...(number ? ['as: NUMBER'] : []),
      ];
      const from = fromArgs.length > 0 ? ` @from(${fromArgs.join(', ')})` : '';
      // A reference back to an input still being built (a tree) must be nullable: GraphQL refuses a required cycle.
      const cyclic = this.inputs.get(type.replace(/[[\]!]/g, ''))?.length === 0;
      fields.push(
        `  ${fieldName}: ${type}${required.has(property) && !nullable(this.resolve(value)) && !cyclic ? '!' : ''}${from}`,
      );
    }
    return fields;
  }
}

/** A schema with properties of its own beside its `oneOf` / `anyOf` (`type: object` alone says nothing more than its members do). */
function hasOwnShape(schema: Schema): boolean {
  return Object.keys(schema.properties ?? {}).length > 0 || Array.isArray(schema.allOf);
}

/** What a local JSON pointer (`#/paths/~1books/get`) points at in the document; undefined for another file's or nowhere. */
export function atPointer(api: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~')))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], api);
}
