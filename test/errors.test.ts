import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';

describe('the error catalog', () => {
  it('lists exactly the codes that docs/errors.md documents, in the same order', () => {
    const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...docs.matchAll(/^### ([A-Z_]+)$/gm)].map((match) => match[1]);
    expect(documented).toEqual([...ERROR_CODES]);
  });

  it('gives every code a fix', () => {
    const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    for (const section of docs.split(/^### /m).slice(1)) expect(section).toContain('**Fix');
  });
});
