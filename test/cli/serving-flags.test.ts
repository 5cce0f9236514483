import { describe, expect, it } from 'vitest';
import { servingFlags } from '../../src/cli/serving-flags.ts';

describe('the V8 flags graftql serve sets for itself', () => {
  it('sets both when the process was started without them', () => {
    expect(servingFlags([], '')).toEqual(['--heap-growing-percent=50', '--liftoff-only']);
  });

  it('leaves a flag given on the command line, in either spelling', () => {
    expect(servingFlags(['--heap_growing_percent=80'], '')).toEqual(['--liftoff-only']);
    expect(servingFlags(['--heap-growing-percent=80', '--enable-source-maps'], '')).toEqual(['--liftoff-only']);
  });

  it('leaves a flag given in NODE_OPTIONS, negated or not', () => {
    expect(servingFlags([], '--max-old-space-size=512 --no-liftoff-only')).toEqual(['--heap-growing-percent=50']);
    expect(servingFlags(['--liftoff-only'], '--heap-growing-percent=30')).toEqual([]);
  });
});
