/**
 * Templates in mapping directives, parsed once at start-up:
 * - a value: `"$args.city"` (the value itself, of any type), `"metric"` (a
 *   literal), `"$args.days * 8"` (a number, with `+ - *` and one number),
 *   `"Article:{$args.id}"` (a string with values interpolated);
 * - a path: `"/users/{$parent.id}/articles"`, each `{…}` one path segment.
 * References are `$args.…`, `$parent.…`, `$header.…`, `$result.…`,
 * `$event.…` (a webhook event as its source sent it), `$prev.…` (what
 * the step before answered, in @chain) and `$jwt.…` (a claim of the
 * caller's verified token).
 */
import { encodeSegment, type UpstreamPath } from './upstream-path.ts';

export type Scope = 'args' | 'parent' | 'header' | 'result' | 'event' | 'prev' | 'jwt';

export interface Reference {
  scope: Scope;
  /** The name and the path below it: `$args.input.title` → ['input', 'title']. */
  path: readonly string[];
  /** Arithmetic with one number. */
  op?: { operator: '*' | '+' | '-'; operand: number };
  /** Where it starts in the template text, for error columns. */
  offset: number;
  text: string;
}

export type Part = string | Reference;

export type ValueTemplate =
  | { kind: 'literal'; value: unknown }
  | { kind: 'reference'; reference: Reference }
  | { kind: 'interpolation'; parts: readonly Part[] };

export interface PathTemplate {
  parts: readonly Part[];
  text: string;
}

export class TemplateError extends Error {
  constructor(
    message: string,
    /** Offset in the template text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const SCOPES: ReadonlySet<string> = new Set(['args', 'parent', 'header', 'result', 'event', 'prev', 'jwt']);
const WHOLE = /^\s*(\$[^\s]+)(?:\s*([*+-])\s*(-?\d+(?:\.\d+)?))?\s*$/;
const NAME = /^[A-Za-z_][\w-]*$|^\d+$/;

/** One `$scope.name.path` reference, optionally with arithmetic. */
function parseReference(text: string, offset: number): Reference {
  const whole = WHOLE.exec(text);
  if (!whole?.[1])
    throw new TemplateError(`"${text.trim()}" is not a reference such as $args.name or $parent.field.`, offset);
  const [scope, ...path] = whole[1].slice(1).split('.');
  const at = offset + text.indexOf('$');
  if (!scope || !SCOPES.has(scope))
    throw new TemplateError(
      `$${scope ?? ''} is not a template variable: use $args, $parent, $header, $jwt, $result, $event or $prev.`,
      at,
    );
  if (path.length === 0) throw new TemplateError(`$${scope} needs a name: $${scope}.something.`, at);
  const bad = path.find((part) => !NAME.test(part));
  if (bad !== undefined) throw new TemplateError(`"${bad}" in ${whole[1]} is not a name.`, at);
  const op = whole[2] ? { operator: whole[2] as '*' | '+' | '-', operand: Number(whole[3]) } : undefined;
  return { scope: scope as Scope, path, ...(op && { op }), offset: at, text: whole[1] };
}

/** `{…}` pieces in text; literal parts are kept as they are. */
function parseParts(text: string): Part[] {
  const parts: Part[] = [];
  let rest = 0;
  for (;;) {
    const open = text.indexOf('{', rest);
    if (open < 0) break;
    const close = text.indexOf('}', open);
    if (close < 0) throw new TemplateError('A "{" has no closing "}".', open);
    if (open > rest) parts.push(text.slice(rest, open));
    parts.push(parseReference(text.slice(open + 1, close), open + 1));
    rest = close + 1;
  }
  if (rest < text.length) parts.push(text.slice(rest));
  return parts;
}

export function parseValueTemplate(value: unknown): ValueTemplate {
  if (typeof value !== 'string') return { kind: 'literal', value };
  if (value.trimStart().startsWith('$')) return { kind: 'reference', reference: parseReference(value, 0) };
  if (value.includes('{$')) return { kind: 'interpolation', parts: parseParts(value) };
  return { kind: 'literal', value };
}

export function parsePathTemplate(text: string): PathTemplate {
  if (!text.startsWith('/')) throw new TemplateError('A path starts with "/".', 0);
  if (/[?#]/.test(text))
    throw new TemplateError('A path has no query or fragment: put query parameters in `query`.', text.search(/[?#]/));
  const parts = parseParts(text);
  for (const part of parts) {
    if (typeof part !== 'string' && part.op)
      throw new TemplateError('A path segment cannot compute: give it a plain reference.', part.offset);
  }
  return { parts, text };
}

export function referencesIn(template: ValueTemplate | PathTemplate): Reference[] {
  if ('kind' in template) {
    if (template.kind === 'reference') return [template.reference];
    if (template.kind === 'literal') return [];
  }
  return template.parts.filter((part): part is Reference => typeof part !== 'string');
}

/** Reads references while a request is answered. */
export type Resolve = (reference: Reference) => unknown;

export function evaluate(template: ValueTemplate, resolve: Resolve): unknown {
  if (template.kind === 'literal') return template.value;
  if (template.kind === 'reference') return compute(template.reference, resolve(template.reference));
  return template.parts.map((part) => (typeof part === 'string' ? part : String(resolve(part) ?? ''))).join('');
}

function compute(reference: Reference, value: unknown): unknown {
  if (!reference.op || value === null || value === undefined) return value;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return undefined;
  const { operator, operand } = reference.op;
  return operator === '*' ? number * operand : operator === '+' ? number + operand : number - operand;
}

/** A path with its values filled in, each one encoded as exactly one segment; undefined when a value is missing. */
export function renderPath(
  template: PathTemplate,
  resolve: (reference: Reference) => unknown,
): UpstreamPath | undefined {
  let path = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      path += part;
      continue;
    }
    const value = evaluate({ kind: 'reference', reference: part }, resolve);
    if (value === null || value === undefined) return undefined;
    path += encodeSegment(String(value));
  }
  return path as UpstreamPath;
}

/** What is wrong with a webhook's invalidation template (`sources.<name>.webhooks.invalidates`), or undefined. */
export function eventPathProblem(text: string): string | undefined {
  try {
    const template = parsePathTemplate(text);
    const other = referencesIn(template).find((reference) => reference.scope !== 'event');
    return other ? `${other.text}: an event's paths can only use $event (the event as the source sent it)` : undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}
