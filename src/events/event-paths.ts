/**
 * The cached reads a webhook event makes stale: path templates over the
 * event as its source sent it (`/articles/{$event.data.id}`), checked when
 * the config loads and filled in for each delivered event.
 */
import { read } from '../core/dot-path.ts';
import { type PathTemplate, parsePathTemplate, renderPath } from '../core/template.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';

/** By event type, the parsed templates of a source's `webhooks.invalidates` (checked by the config schema). */
export function eventPaths(
  invalidates: Readonly<Record<string, readonly string[]>>,
): (type: string, event: unknown) => UpstreamPath[] {
  const templates = new Map<string, PathTemplate[]>(
    Object.entries(invalidates).map(([type, texts]) => [type, texts.map(parsePathTemplate)]),
  );
  return (type, event) =>
    (templates.get(type) ?? []).flatMap(
      (template) => renderPath(template, (reference) => read(event, reference.path)) ?? [],
    );
}
