/**
 * Per-field plans: what the mapping directives of one field mean, compiled
 * once at start-up (compile/) and only run per request (run/).
 */

import type { PathTemplate, ValueTemplate } from '../core/template.ts';
import type { HttpMethod } from '../core/upstream.ts';
import type { AnswerFormat } from '../sources/answer-formats.ts';
import type { Expression } from './expression/parse-expression.ts';

export type Path = readonly string[];
export type BatchStyle = 'COMMA' | 'REPEAT' | 'BODY';
export type PagingStyle = 'OFFSET' | 'PAGE' | 'CURSOR' | 'LINK';

/** Name → template, in declaration order. */
export type TemplateMap = ReadonlyArray<readonly [string, ValueTemplate]>;

/** A JSON body as written: objects and lists of templates, nested (`{ order: { items: "$args.items" } }`). */
export type BodyTemplate =
  | ValueTemplate
  | { kind: 'object'; fields: ReadonlyArray<readonly [string, BodyTemplate]> }
  | { kind: 'list'; items: readonly BodyTemplate[] };

/** How a list value goes in the query: `ids=1&ids=2`, `ids=1,2` or `ids[]=1&ids[]=2`. */
export type QueryArrays = 'REPEAT' | 'COMMA' | 'BRACKETS';

export interface BatchPlan {
  key: ValueTemplate;
  param: string;
  style: BatchStyle;
  /** The field of each row that holds its key, by its graph name. */
  match: string;
  max: number;
}

export interface FirstPagePlan {
  path: PathTemplate;
  query: TemplateMap;
  key: ValueTemplate;
  param: string;
  style: BatchStyle;
  match: string;
  size: string;
  items: Path | undefined;
  max: number;
}

export interface PaginatePlan {
  style: PagingStyle;
  items: Path | undefined;
  total: Path | undefined;
  pages: Path | undefined;
  current: Path | undefined;
  next: Path | undefined;
  prev: Path | undefined;
  /** The offset, page or cursor parameter (none for LINK). */
  param: string;
  size: string;
  pageSize: number;
  firstPage: FirstPagePlan | undefined;
  /** The connection can page backward from a cursor. */
  backward: boolean;
}

export interface ErrorMappingPlan {
  status: number;
  code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UPSTREAM_ERROR';
  message: Path | undefined;
  /** A member of the field's union: the error answer becomes the field's value, mapped as this type. */
  member: string | undefined;
}

/**
 * How an argument value is turned into what the upstream expects, decided at
 * compile time from `@globalId` and `@from(value:)`: a global id to its
 * upstream id, an enum value to the upstream's spelling, a list or an input
 * object by its items or fields.
 */
export type ValueDecoding =
  | { kind: 'globalId'; type: string }
  | { kind: 'enum'; spelled: ReadonlyMap<string, string> }
  | { kind: 'list'; item: ValueDecoding }
  | { kind: 'object'; fields: ReadonlyArray<readonly [string, ValueDecoding]> };

/** The arguments of a field that need decoding, by name; empty when none does. */
export type ArgumentDecoding = ReadonlyArray<readonly [string, ValueDecoding]>;

export interface RestPlan {
  kind: 'rest';
  /** `Type.field` */
  coordinate: string;
  /** Arguments decoded before the request is rendered. */
  decoding: ArgumentDecoding;
  /** The type the field returns (the node type of a connection), lists and non-null removed. */
  returns: string;
  /** The field's value is a list (of `returns`), not one. */
  list: boolean;
  source: string;
  method: HttpMethod;
  path: PathTemplate;
  query: TemplateMap;
  headers: TemplateMap;
  body:
    | { kind: 'json'; value: BodyTemplate }
    | { kind: 'form'; fields: TemplateMap }
    | { kind: 'multipart'; parts: TemplateMap }
    | { kind: 'upload'; file: ValueTemplate }
    | undefined;
  selection: Path | undefined;
  batch: BatchPlan | undefined;
  paginate: PaginatePlan | undefined;
  result: ValueTemplate | undefined;
  invalidates: readonly PathTemplate[];
  errors: readonly ErrorMappingPlan[];
  maxAgeMs: number | undefined;
  /** Arguments that are not pagination arguments: they pick the list, so cursors are scoped by them. */
  filterArgs: readonly string[];
  /** For a field of a union or interface type: the member every record of this call is (`@rest(type:)`). */
  member: string | undefined;
  /** How the answer is read. */
  answer: AnswerFormat;
  /** How list values go in the query. */
  queryArrays: QueryArrays;
  /** The field's own spelling of upstream names, over its source's (`@rest(naming:)`). */
  naming: 'camelCase' | 'snake_case' | undefined;
}

export interface RefPlan {
  kind: 'ref';
  coordinate: string;
  /** The Query field it resolves as. */
  query: string;
  args: TemplateMap;
}

/** A Subscription field fed by a source's webhook events. */
export interface EventPlan {
  kind: 'event';
  coordinate: string;
  /** Arguments decoded before they filter events or feed the fetch. */
  decoding: ArgumentDecoding;
  source: string;
  types: readonly string[];
  /** Where the object is in the event. */
  selection: Path;
  /** Argument name → the event's value it must equal when given. */
  filter: TemplateMap;
  /** Read the object through this Query field instead (upstream argument values). */
  fetch: { query: string; args: TemplateMap } | undefined;
}

/** A field resolved by calls in sequence (`@chain`): each a call of a Query field with @rest, `$prev` the step before's record. */
export interface ChainPlan {
  kind: 'chain';
  coordinate: string;
  /** The field's own arguments decoded before the steps read them. */
  decoding: ArgumentDecoding;
  steps: ReadonlyArray<{ query: string; args: TemplateMap }>;
}

export type FieldPlan = RestPlan | RefPlan | ChainPlan | EventPlan;

/** What the gateway knows of a type's mapping. */
/** An entity of the graph as a federation subgraph (federation/subgraph.ts). */
export interface EntityPlan {
  /** The Query field `_entities` loads it through (`@node(fetch:)`), and whether its `id` argument takes the global id; absent: the representation is the object. */
  fetch?: string;
  globalId?: boolean;
}

export interface NodePlan {
  /** The field holding the upstream id. */
  key: string;
  /** The Query field that loads one by id. */
  fetch: string | undefined;
}

/** How the member type of a union or interface record is chosen (`@discriminate`), in this order. */
export interface DiscriminatorPlan {
  /** The union or interface. */
  type: string;
  /** Its object types. */
  members: readonly string[];
  /** The record's field that names its type. */
  field: Path | undefined;
  /** The field's value → member; undefined: the value is the member's own name. */
  values: ReadonlyMap<string, string> | undefined;
  /** A field whose presence picks a member, in order. */
  has: ReadonlyArray<readonly [Path, string]>;
  /** The member when nothing else decides. */
  fallback: string | undefined;
}

/** Who may read a field (`@authenticated`, `@requiresScopes`). */
export interface AccessRule {
  /** A verified token is needed (any scope rule implies it). */
  authenticated: boolean;
  /** Each must hold: one of its lists of scopes, all of that list, in the token. */
  scopes: ReadonlyArray<ReadonlyArray<ReadonlyArray<string>>>;
  /** `@policy` expressions, each of which must be true. */
  policies: readonly AccessPolicy[];
}

/** A `@policy(allow:)`: an expression over `$jwt`, `$args` and `$parent`. */
export interface AccessPolicy {
  /** As the SDL gives it, for error messages. */
  allow: string;
  expression: Expression;
  /** The fields of `$parent` it reads; none: it is checked before execution. */
  parentFields: readonly string[];
}
