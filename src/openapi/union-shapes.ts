/**
 * How a record of a `oneOf` / `anyOf` says which of its object members it
 * is, as the `@discriminate` a GraphQL union of them carries (the gateway's
 * records.ts picks the member with it at run time), tried in order:
 * - the document's `discriminator`: its `propertyName`, its `mapping`'s
 *   values, else each member's schema name (as OpenAPI defines it) and the
 *   one value the member declares for the property (as APIs send it);
 * - a property every member has with one value of its own (a one-value
 *   `enum` or a `const`: `type: { enum: [dog] }`), the common idiom of
 *   documents that declare no discriminator;
 * - a required property only one member has, for every member but at most
 *   one (which is the default).
 * Members nothing tells apart get no union: the importer merges them into
 * one object type, which a record of any member fits.
 */
import type { Schema } from './document.ts';
import { mapLiteral } from './schema-shapes.ts';

export interface UnionMember {
  /** The member's GraphQL type. */
  type: string;
  /** The `$ref` it was given by (`#/components/schemas/Dog`). */
  ref: string;
  /** Its schema, with `allOf` parts merged. */
  schema: Schema;
}

/** The `@discriminate(...)` that tells the members apart, or undefined when nothing does. */
export function discrimination(members: readonly UnionMember[], discriminator: unknown): string | undefined {
  const declared = declaredDiscriminator(members, discriminator);
  if (declared) return declared;
  for (const property of Object.keys(members[0]?.schema.properties ?? {})) {
    const values = constantValues(members, property);
    if (values) return directive(property, values);
  }
  return byPresence(members);
}

function declaredDiscriminator(members: readonly UnionMember[], discriminator: unknown): string | undefined {
  if (typeof discriminator !== 'object' || discriminator === null) return undefined;
  const { propertyName, mapping } = discriminator as { propertyName?: unknown; mapping?: unknown };
  if (typeof propertyName !== 'string' || !usable(propertyName)) return undefined;
  const values = new Map<string, string>();
  if (typeof mapping === 'object' && mapping !== null)
    for (const [value, target] of Object.entries(mapping)) {
      // A mapping's value is a $ref or a bare schema name.
      const member = members.find((each) => each.ref === target || each.ref.endsWith(`/${String(target)}`));
      if (member) values.set(value, member.type);
    }
  const mapped = new Set(values.values());
  for (const member of members) {
    if (mapped.has(member.type)) continue;
    // OpenAPI's implicit value is the schema's name; many APIs send the one value their schema declares
    // instead (Spotify's `type: track` for TrackObject): either picks the member.
    const spellings = [
      ...(constantValues([member], propertyName)?.keys() ?? []),
      decodeURIComponent(member.ref.split('/').at(-1) ?? ''),
    ];
    for (const value of spellings) if (!values.has(value)) values.set(value, member.type);
  }
  return directive(propertyName, values);
}

/** Each member's one value of `property` (value → member type), when every member has one and no two share it. */
function constantValues(members: readonly UnionMember[], property: string): Map<string, string> | undefined {
  if (!usable(property)) return undefined;
  const values = new Map<string, string>();
  for (const member of members) {
    const schema = member.schema.properties?.[property];
    const value = Array.isArray(schema?.enum) && schema.enum.length === 1 ? schema.enum[0] : schema?.const;
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    if (values.has(String(value))) return undefined;
    values.set(String(value), member.type);
  }
  return values;
}

function byPresence(members: readonly UnionMember[]): string | undefined {
  const has: Array<[string, string]> = [];
  const undecided: string[] = [];
  for (const member of members) {
    const own = (member.schema.required ?? []).find(
      (property) =>
        usable(property) &&
        members.every((other) => other === member || !(property in (other.schema.properties ?? {}))),
    );
    if (own) has.push([own, member.type]);
    else undecided.push(member.type);
  }
  if (undecided.length > 1) return undefined;
  const fallback = undecided[0] ? `, default: ${JSON.stringify(undecided[0])}` : '';
  return `@discriminate(has: ${mapLiteral(has)}${fallback})`;
}

function directive(field: string, values: ReadonlyMap<string, string>): string {
  return `@discriminate(field: ${JSON.stringify(field)}, values: ${mapLiteral([...values])})`;
}

/** A property name @discriminate can read: a dot would be read as a path. */
function usable(property: string): boolean {
  return property !== '' && !property.includes('.');
}
