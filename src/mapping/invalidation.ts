/**
 * Which stored calls can hold what lives at a path, besides the path
 * itself: found once from the plans, so that an invalidation (a write's
 * own path, `@rest(invalidates:)`, a webhook's paths) reaches every stored
 * call the changed record may be in, batch forms included:
 * - a list with a first-page batch form: `/articles/{id}/comments` is also
 *   in `/comments` (`/comments?article_ids=...&per_article=...`);
 * - a field batched by ids: `/users/7` is also in `/users` (`/users?ids=...`).
 * Over-reaching is safe (a dropped entry is fetched again); missing one
 * serves a stale answer, so a path template's variable segment matches any.
 */

import type { PathTemplate } from '../core/template.ts';
import { pathMatcher } from '../core/upstream-path.ts';
import type { FieldPlan } from './plan.ts';

interface Relation {
  source: string;
  /** The paths (with `*` segments) that the batch form also holds. */
  from: string;
  also: string;
}

export function relatedPaths(plans: Iterable<FieldPlan>): (source: string, path: string) => readonly string[] {
  const relations: Relation[] = [];
  for (const plan of plans) {
    if (plan.kind !== 'rest' || plan.method !== 'GET') continue;
    const firstPage = plan.paginate?.firstPage;
    if (firstPage) relations.push({ source: plan.source, from: patternOf(plan.path), also: patternOf(firstPage.path) });
    if (plan.batch)
      relations.push({
        source: plan.source,
        from: `${patternOf(plan.path).replace(/\/$/, '')}/*`,
        also: patternOf(plan.path),
      });
  }
  if (relations.length === 0) return () => [];
  return (source, path) =>
    relations
      .filter((relation) => relation.source === source && overlaps(relation.from, path))
      .map((relation) => relation.also);
}

/** The template as a path whose variable segments are `*`. */
function patternOf(template: PathTemplate): string {
  const text = template.parts.map((part) => (typeof part === 'string' ? part : '*')).join('');
  return text
    .split('/')
    .map((segment) => (segment.includes('*') ? '*' : segment))
    .join('/');
}

/** Whether two paths with `*` segments can name the same path. */
function overlaps(pattern: string, path: string): boolean {
  return pathMatcher([pattern])(path) || pathMatcher([path])(pattern);
}
