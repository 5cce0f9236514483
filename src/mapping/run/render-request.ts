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
import type { RestPlan, TemplateMap } from '../plan.ts';

/** Renders the request of a plan (without batch keys or page parameters); undefined when a path value is absent. */
export type RequestRenderer = (resolve: (reference: Reference) => unknown) => UpstreamRequest | undefined;

/** `toUpstream`: converts a JSON body's input object to the upstream's spelling (records.ts). */
export function requestRenderer(
  plan: RestPlan,
  toUpstream: ((value: unknown) => unknown) | undefined,
): RequestRenderer {
  const route = routeOf(plan.path);
  return (resolve) => {
    const path = renderPath(plan.path, resolve);
    if (path === undefined) return undefined;
    const request: UpstreamRequest = {
      method: plan.method,
      path,
      route,
      query: renderQuery(plan.query, resolve),
      headers: renderHeaders(plan.headers, resolve),
      cacheTtlMs: plan.maxAgeMs,
      ...(plan.answer !== 'JSON' && { answer: plan.answer }),
    };
    if (plan.body?.kind === 'form') request.form = renderQuery(plan.body.fields, resolve);
    else if (plan.body?.kind === 'json') request.json = renderJson(plan.body.value, resolve, toUpstream);
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
): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value === null || value === undefined) continue;
    query[name] = Array.isArray(value)
      ? value.map(String)
      : typeof value === 'object'
        ? JSON.stringify(value)
        : (value as QueryValue);
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

/** A JSON body: one value (an input object goes in the upstream's spelling, `toUpstream`), or a map of fields. */
export function renderJson(
  value: ValueTemplate | TemplateMap,
  resolve: (reference: Reference) => unknown,
  toUpstream: ((value: unknown) => unknown) | undefined,
): unknown {
  if (!Array.isArray(value)) {
    const rendered = evaluate(value as ValueTemplate, resolve);
    return toUpstream ? toUpstream(rendered) : rendered;
  }
  const body: Record<string, unknown> = {};
  for (const [name, template] of value as TemplateMap) {
    const rendered = evaluate(template, resolve);
    if (rendered !== null && rendered !== undefined) body[name] = rendered;
  }
  return body;
}

/** A path template as traces show it: `/users/{$parent.id}/articles` -> `/users/{id}/articles`. */
export function routeOf(template: PathTemplate): string {
  return template.parts
    .map((part) => (typeof part === 'string' ? part : `{${part.path[part.path.length - 1] ?? part.scope}}`))
    .join('');
}

/** The input type a JSON body's `$args...` reference carries, to send it in the upstream's spelling. */
export function jsonBodyType(plan: RestPlan, definition: GraphQLField<unknown, unknown>): GraphQLInputType | undefined {
  if (plan.body?.kind !== 'json' || !('kind' in plan.body.value) || plan.body.value.kind !== 'reference')
    return undefined;
  const reference = plan.body.value.reference;
  if (reference.scope !== 'args') return undefined;
  const [name, ...rest] = reference.path;
  let type: GraphQLInputType | undefined = definition.args.find((argument) => argument.name === name)?.type;
  for (const part of rest) {
    const named = type && getNamedType(type);
    type = named && isInputObjectType(named) ? named.getFields()[part]?.type : undefined;
  }
  return type;
}
