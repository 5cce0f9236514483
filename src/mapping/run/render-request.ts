/**
 * A field's upstream request, rendered from its plan for one resolver
 * call: path, query, headers and body (JSON in the upstream's spelling,
 * form, multipart or one uploaded file).
 */
import { type GraphQLField, type GraphQLInputType, getNamedType, isInputObjectType } from 'graphql';
import {
  evaluate,
  type PathTemplate,
  type Reference,
  referencesIn,
  renderPath,
  type ValueTemplate,
} from '../../core/template.ts';
import type { QueryValue } from '../../core/upstream-path.ts';
import type { UpstreamRequest } from '../../sources/upstream-request.ts';
import { UploadedFile } from '../../uploads/uploaded-file.ts';
import type { BodyTemplate, QueryArrays, RestPlan, TemplateMap } from '../plan.ts';

/** Renders the request of a plan (without batch keys or page parameters); undefined when a path value is absent. */
export type RequestRenderer = (resolve: (reference: Reference) => unknown) => UpstreamRequest | undefined;

export function requestRenderer(
  plan: RestPlan,
  /** What sends an argument value in the upstream's spelling (an input object's names, an enum's values), by template. */
  toUpstream: ((template: ValueTemplate) => ((value: unknown) => unknown) | undefined) | undefined,
): RequestRenderer {
  const route = routeOf(plan.path);
  const renderBody = plan.body?.kind === 'json' ? bodyRenderer(plan.body.value, toUpstream) : undefined;
  return (resolve) => {
    const path = renderPath(plan.path, resolve);
    if (path === undefined) return undefined;
    const request: UpstreamRequest = {
      method: plan.method,
      path,
      route,
      query: renderQuery(plan.query, resolve, plan.queryArrays),
      headers: renderHeaders(plan.headers, resolve),
      cacheTtlMs: plan.maxAgeMs,
      ...(plan.answer !== 'JSON' && { answer: plan.answer }),
    };
    if (plan.body?.kind === 'form') request.form = renderQuery(plan.body.fields, resolve);
    else if (renderBody) request.json = renderBody(resolve);
    else if (plan.body?.kind === 'multipart') request.multipart = renderParts(plan.body.parts, resolve);
    else if (plan.body?.kind === 'upload') request.file = evaluate(plan.body.file, resolve) as UploadedFile;
    return request;
  };
}

/** A plan whose request names no per-call value is the same for every call. */
export function isFixedRequest(plan: RestPlan): boolean {
  return (
    referencesIn(plan.path).length === 0 &&
    !plan.body &&
    [...plan.query, ...plan.headers].every(([, template]) => template.kind === 'literal')
  );
}

export function renderQuery(
  entries: TemplateMap,
  resolve: (reference: Reference) => unknown,
  arrays: QueryArrays = 'REPEAT',
): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) query[name] = typeof value === 'object' ? JSON.stringify(value) : (value as QueryValue);
    else if (arrays === 'COMMA') query[name] = value.map(String).join(',');
    else query[arrays === 'BRACKETS' ? `${name}[]` : name] = value.map(String);
  }
  return query;
}

export function renderHeaders(
  entries: TemplateMap,
  resolve: (reference: Reference) => unknown,
): Record<string, string> | undefined {
  if (entries.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value !== null && value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** Multipart parts in order: files as they are, other values as text; null values left out. */
export function renderParts(
  entries: TemplateMap,
  resolve: (reference: Reference) => unknown,
): Array<[string, string | UploadedFile]> {
  const parts: Array<[string, string | UploadedFile]> = [];
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value === null || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const each of values)
      parts.push([
        name,
        each instanceof UploadedFile ? each : typeof each === 'object' ? JSON.stringify(each) : String(each),
      ]);
  }
  return parts;
}

/**
 * A JSON body as written, compiled once: a template's value (an input
 * object or enum in the upstream's spelling, `toUpstream`), objects with
 * their null fields left out, lists item by item.
 */
function bodyRenderer(
  body: BodyTemplate,
  toUpstream: ((template: ValueTemplate) => ((value: unknown) => unknown) | undefined) | undefined,
): (resolve: (reference: Reference) => unknown) => unknown {
  if (body.kind === 'object') {
    const fields = body.fields.map(([name, field]) => [name, bodyRenderer(field, toUpstream)] as const);
    return (resolve) => {
      const rendered: Record<string, unknown> = {};
      for (const [name, render] of fields) {
        const value = render(resolve);
        if (value !== null && value !== undefined) rendered[name] = value;
      }
      return rendered;
    };
  }
  if (body.kind === 'list') {
    const items = body.items.map((item) => bodyRenderer(item, toUpstream));
    return (resolve) => items.map((render) => render(resolve) ?? null);
  }
  const convert = toUpstream?.(body);
  return convert ? (resolve) => convert(evaluate(body, resolve)) : (resolve) => evaluate(body, resolve);
}

/** A path template as traces show it: `/users/{$parent.id}/articles` -> `/users/{id}/articles`. */
export function routeOf(template: PathTemplate): string {
  return template.parts
    .map((part) => (typeof part === 'string' ? part : `{${part.path[part.path.length - 1] ?? part.scope}}`))
    .join('');
}

/** The input type an `$args...` reference carries (to send it in the upstream's spelling), if it is one. */
export function argumentInputType(
  template: ValueTemplate,
  definition: GraphQLField<unknown, unknown>,
): GraphQLInputType | undefined {
  if (template.kind !== 'reference' || template.reference.scope !== 'args' || template.reference.op) return undefined;
  const [name, ...rest] = template.reference.path;
  let type: GraphQLInputType | undefined = definition.args.find((argument) => argument.name === name)?.type;
  for (const part of rest) {
    const named = type && getNamedType(type);
    type = named && isInputObjectType(named) ? named.getFields()[part]?.type : undefined;
  }
  return type;
}
