/**
 * The cached reads a webhook event makes stale: path templates over the
 * event as its source sent it (`/articles/{$event.data.id}`), checked when
 * the config loads and filled in for each delivered event.
 */
import { read } from '../mapping/records.ts';
import { type PathTemplate, parsePathTemplate, referencesIn, renderPath, TemplateError } from '../mapping/template.ts';
import type { UpstreamPath } from '../sources/url.ts';

/** What is wrong with an invalidation template, or undefined. */
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

/** By event type, the parsed templates of a source's `webhooks.invalidates` (checked by the config schema). */
export function eventPaths(invalidates: Readonly<Record<string, readonly string[]>>): (type: string, event: unknown) => UpstreamPath[] {
  const templates = new Map<string, PathTemplate[]>(Object.entries(invalidates).map(([type, texts]) => [type, texts.map(parsePathTemplate)]));
  return (type, event) => (templates.get(type) ?? []).flatMap((template) => renderPath(template, (reference) => read(event, reference.path)) ?? []);
}
