import { describe, expect, it } from 'vitest';
import { operationLabels } from '../../src/observability/metrics.ts';

describe('operation label values', () => {
  it('keeps known names always, then the first `max` others, then "other"; "anonymous" and "unknown" for the rest', () => {
    const label = operationLabels(['Persisted'], 2);
    expect(['A', 'B', 'C', 'A', 'Persisted'].map((name) => label(name, 'query'))).toEqual([
      'A',
      'B',
      'other',
      'A',
      'Persisted',
    ]);
    expect(label(undefined, 'mutation')).toBe('anonymous');
    expect(label('A', undefined)).toBe('unknown');
  });

  it('10,000 random names make at most `max` label values besides "other"', () => {
    const label = operationLabels([], 100);
    const values = new Set(
      Array.from({ length: 10_000 }, () => label(`Op${Math.random().toString(36).slice(2)}`, 'query')),
    );
    expect(values.size).toBe(101);
    expect(values.has('other')).toBe(true);
  });

  it('hashed: a name a client chose becomes a stable hash; persisted names stay as they are', () => {
    const label = operationLabels(['Persisted'], 2, { hashed: true });
    const secret = label('CustomerSecretReport_Acme', 'query');
    expect(secret).toMatch(/^hash:[0-9a-f]{12}$/);
    expect(label('CustomerSecretReport_Acme', 'query')).toBe(secret);
    expect(label('Persisted', 'query')).toBe('Persisted');
    expect([label('B', 'query'), label('C', 'query')]).toEqual([expect.stringMatching(/^hash:/), 'other']);
  });
});
