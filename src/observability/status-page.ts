/**
 * The status page: each source as an on-call engineer wants to see it at a
 * glance (breaker, rate limit, the last minute's calls, failures and
 * latency, the cache's hit ratio), as one self-contained HTML page that
 * refreshes itself: no script, no outside asset, a strict CSP.
 */
import type { CacheStats } from '../cache/response-cache.ts';
import type { SourceState } from '../sources/source-client.ts';
import type { SourceMinute } from './source-activity.ts';

export interface SourceStatus extends SourceState, SourceMinute {
  name: string;
  cache: CacheStats;
}

export interface StatusPage {
  sources: readonly SourceStatus[];
  /** Seconds since the gateway started. */
  uptimeSeconds: number;
  /** ms since epoch */
  now: number;
  /** What an operator must not miss (a reload that failed), above the table. */
  notes?: readonly string[];
}

export const STATUS_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
} as const;

const REFRESH_SECONDS = 5;

export function renderStatusPage({ sources, uptimeSeconds, now, notes = [] }: StatusPage): string {
  const rows = sources.map((source) => row(source, now)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>GraftQL status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1f2328; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  p { color: #59636e; margin: 0 0 1rem; }
  p.note { color: #9a6700; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: right; padding: .4rem .6rem; border-bottom: 1px solid #d1d9e0; white-space: nowrap; }
  th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
  th { font-weight: 600; background: #f6f8fa; }
  .state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: 12px; font-weight: 600; }
  .closed, .off { background: #dafbe1; color: #116329; }
  .half-open { background: #fff8c5; color: #7d4e00; }
  .open { background: #ffebe9; color: #a40e26; }
  .bad { color: #a40e26; font-weight: 600; }
</style>
</head>
<body>
<h1>GraftQL status</h1>
<p>Up ${duration(uptimeSeconds)} &middot; ${sources.length} sources &middot; the last minute, refreshed every ${REFRESH_SECONDS} s</p>
${notes.map((note) => `<p class="note">⚠ ${escapeHtml(note)}</p>`).join('\n')}
<table>
<thead><tr><th>source</th><th>breaker</th><th>calls / min</th><th>failed</th><th>p50</th><th>p99</th><th>in flight</th><th>rate limit left</th><th>cache hits, since start</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}

function row(source: SourceStatus, now: number): string {
  const failedShare = source.calls > 0 ? source.failures / source.calls : 0;
  const lookups =
    source.cache.hit + source.cache.miss + source.cache.stale + source.cache.revalidated + source.cache.coalesced;
  const served = source.cache.hit + source.cache.revalidated + source.cache.coalesced;
  const rateLimit = source.rateLimit
    ? `${source.rateLimit.remaining}${source.rateLimit.limit === undefined ? '' : ` of ${source.rateLimit.limit}`}, resets in ${Math.max(0, Math.ceil((source.rateLimit.resetAt - now) / 1000))} s`
    : '&ndash;';
  const cells = [
    ['name', escapeHtml(source.name)],
    [
      'breaker',
      `<span class="state ${source.breaker}">${source.breaker === 'off' ? 'no breaker' : source.breaker}</span>`,
    ],
    ['calls', String(source.calls)],
    ['failed', `<span class="${failedShare >= 0.05 ? 'bad' : ''}">${source.failures} (${percent(failedShare)})</span>`],
    ['p50', milliseconds(source.p50Ms)],
    ['p99', milliseconds(source.p99Ms)],
    ['in-flight', String(source.inFlight)],
    ['rate-limit', rateLimit],
    ['cache', lookups > 0 ? `${percent(served / lookups)} of ${lookups}` : '&ndash;'],
  ];
  return `<tr data-source="${escapeHtml(source.name)}">${cells.map(([field, html]) => `<td data-field="${field}">${html}</td>`).join('')}</tr>`;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
const milliseconds = (ms: number | undefined) =>
  ms === undefined ? '&ndash;' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
