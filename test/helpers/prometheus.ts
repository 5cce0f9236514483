/**
 * Scrapes a Prometheus endpoint: the exposition is checked by Prometheus's
 * own parser and linter (`promtool check metrics`, Debian's `prometheus`
 * package, installed by .ci/run), then its samples are read by name and
 * labels.
 */
import { execFileSync } from 'node:child_process';

export interface Scrape {
  /** A sample's value (`name` as exposed: `_total`, `_count`, `_sum`, `_bucket` included), 0 when the series does not exist. */
  value(name: string, labels?: Record<string, string>): number;
  /** Distinct label sets of a sample name (for a histogram: of its `_count`). */
  series(name: string): number;
  text: string;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  if (!response.headers.get('content-type')?.startsWith('text/plain; version=0.0.4'))
    throw new Error(`${url} is not the Prometheus text format`);
  const text = await response.text();
  checkExposition(text);
  const samples = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(parseSample);
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  return {
    value: (name, labels = {}) => matching(name, labels)[0]?.value ?? 0,
    series: (name) => matching(name, {}).length + matching(`${name}_count`, {}).length,
    text,
  };
}

/**
 * promtool's parser and linter: a malformed exposition (exit 1) fails the
 * test, and so does a lint problem (exit 3) with one of the gateway's own
 * metrics. prom-client's default process metrics keep their names (gauges
 * such as `nodejs_active_handles_total`), which the linter flags.
 */
export function checkExposition(text: string): void {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const { status, stdout, stderr } = error as { status?: number; stdout?: Buffer; stderr?: Buffer };
    const problems = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`
      .split('\n')
      .filter((line) => line.trim() !== '');
    const ours = problems.filter((line) => !/^(nodejs|process)_/.test(line));
    if (status !== 3 || ours.length > 0)
      throw new Error(`promtool check metrics (exit ${status}): ${ours.join('\n') || problems.join('\n')}`);
  }
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseSample(line: string): Sample {
  const match = SAMPLE.exec(line);
  if (!match) throw new Error(`not a sample line: ${line}`);
  const labels: Record<string, string> = {};
  for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
    labels[key ?? ''] = (value ?? '').replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
  return { name: match[1] ?? '', labels, value: Number(match[3]) };
}
