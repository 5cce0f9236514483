import { describe, expect, it } from 'vitest';
import { operationLabels } from '../../src/observability/metrics.ts';

describe('operation label values', () => {
  it('keeps known names always, then the first `max` others, then "other"; "anonymous" and "unknown" for the rest', () => {
    const label = operationLabels(['Persisted'], 2);
    expect(['A', 'B', 'C', 'A', 'Persisted'].map((name) => label(name, 'query'))).toEqual(['A', 'B', 'other', 'A', 'Persisted']);
    expect(label(undefined, 'mutation')).toBe('anonymous');
    expect(label('A', undefined)).toBe('unknown');
  });
});
