import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STARTUP_FLAGS, servingFlags } from '../../src/cli/serving-flags.ts';
import { servingUrl, spawnCli } from '../helpers/process.ts';

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

describe('the flags V8 reads only when it makes the heap', () => {
  it('are looked for as the others are: a given one is left as it is', () => {
    expect(servingFlags([], '', STARTUP_FLAGS)).toEqual(['--max-semi-space-size=16']);
    expect(servingFlags(['--max_semi_space_size=64'], '', STARTUP_FLAGS)).toEqual([]);
    expect(servingFlags([], '--max-semi-space-size=8', STARTUP_FLAGS)).toEqual([]);
  });

  it('are on the command line of a serving process where Node can restart it in place (the same pid), and only there', {
    timeout: 30_000,
  }, async () => {
    const gateway = spawnCli(['serve', '--example', '--port', '0'], { LOG_LEVEL: 'info' });
    try {
      await servingUrl(gateway);
      const pid = gateway.child.pid as number;
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const canRestart = typeof (process as { execve?: unknown }).execve === 'function';
      expect(commandLine.includes('--max-semi-space-size=16')).toBe(canRestart);
      // Started once, whatever it restarted: one "serving" line.
      expect(gateway.output().match(/GraftQL is serving/g)).toHaveLength(1);
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });
});
