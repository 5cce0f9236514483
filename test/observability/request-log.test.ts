import { describe, expect, it } from 'vitest';
import { levelOf } from '../../src/observability/request-log.ts';

describe('request log levels', () => {
  it('info for success and for the client’s own mistakes; warn when a source or the deadline failed it; error for a gateway fault', () => {
    expect(levelOf({ status: 200, codes: [] })).toBe('info');
    expect(levelOf({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] })).toBe('info');
    expect(levelOf({ status: 200, codes: ['NOT_FOUND'] })).toBe('info');
    expect(levelOf({ status: 200, codes: ['NOT_FOUND', 'UPSTREAM_TIMEOUT'] })).toBe('warn');
    expect(levelOf({ status: 504, codes: ['GATEWAY_TIMEOUT'] })).toBe('error');
    expect(levelOf({ status: 200, codes: ['INTERNAL_SERVER_ERROR'] })).toBe('error');
  });
});
