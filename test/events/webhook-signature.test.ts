import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseStandardSignatures,
  type SignedDelivery,
  signHub,
  signStandard,
  standardKey,
  verifyDelivery,
} from '../../src/events/webhook-signature.ts';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const OLD_KEY = Buffer.from('fedcba9876543210fedcba9876543210');
const NOW = 1_800_000_000_000;
const TOLERANCE = 300_000;

function standard(id: string, timestamp: string, body: Buffer, signature: string, keys = [KEY]): SignedDelivery {
  const headers: Record<string, string> = {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
  };
  return {
    scheme: 'standard',
    header: (name) => headers[name],
    body,
    keys,
    now: NOW,
    toleranceMs: TOLERANCE,
    idHeader: 'x-github-delivery',
  };
}

function hub(body: Buffer, signature: string, id = 'delivery-1', keys = [KEY]): SignedDelivery {
  const headers: Record<string, string> = { 'x-hub-signature-256': signature, 'x-github-delivery': id };
  return {
    scheme: 'hubSignature256',
    header: (name) => headers[name],
    body,
    keys,
    now: NOW,
    toleranceMs: TOLERANCE,
    idHeader: 'x-github-delivery',
  };
}

const seconds = Math.floor(NOW / 1000);
const ids = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
const bodies = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => Buffer.from(bytes));

/** A copy of `bytes` with one byte changed. */
const altered = (bytes: Buffer, at: number, delta: number) => {
  const copy = Buffer.from(bytes);
  copy[at % copy.length] = ((copy[at % copy.length] ?? 0) + delta) % 256;
  return copy;
};

describe('Standard Webhooks verification', () => {
  it('accepts what was signed, with any configured key (rotation)', () => {
    fc.assert(
      fc.property(ids, bodies, fc.integer({ min: -299, max: 299 }), fc.boolean(), (id, body, skew, old) => {
        const timestamp = String(seconds + skew);
        const signature = signStandard(old ? OLD_KEY : KEY, id, seconds + skew, body);
        expect(verifyDelivery(standard(id, timestamp, body, signature, [KEY, OLD_KEY]))).toEqual({
          ok: true,
          id,
          timestamp: seconds + skew,
        });
      }),
    );
  });

  it('refuses any altered byte of the body, id or timestamp', () => {
    fc.assert(
      fc.property(
        ids,
        bodies.filter((body) => body.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (id, body, at, delta) => {
          const signature = signStandard(KEY, id, seconds, body);
          expect(verifyDelivery(standard(id, String(seconds), altered(body, at, delta), signature))).toMatchObject({
            ok: false,
            code: 'WEBHOOK_SIGNATURE_INVALID',
          });
          const otherId = altered(Buffer.from(id), at, delta).toString('latin1');
          const idVerdict = verifyDelivery(standard(otherId, String(seconds), body, signature));
          expect(idVerdict.ok).toBe(false);
          expect(verifyDelivery(standard(id, String(seconds + 1 + (at % 100)), body, signature))).toMatchObject({
            ok: false,
            code: 'WEBHOOK_SIGNATURE_INVALID',
          });
        },
      ),
    );
  });

  it('refuses a key that is not configured', () => {
    const body = Buffer.from('{"type":"a"}');
    expect(
      verifyDelivery(standard('m1', String(seconds), body, signStandard(OLD_KEY, 'm1', seconds, body))),
    ).toMatchObject({ ok: false, code: 'WEBHOOK_SIGNATURE_INVALID' });
  });

  it('finds the v1 signature among several entries, other versions skipped', () => {
    const body = Buffer.from('{}');
    const good = signStandard(KEY, 'm1', seconds, body);
    expect(
      verifyDelivery(standard('m1', String(seconds), body, `v2,abc= v1,${Buffer.alloc(32).toString('base64')} ${good}`))
        .ok,
    ).toBe(true);
  });

  it('refuses a correctly signed timestamp beyond the tolerance, either way', () => {
    const body = Buffer.from('{}');
    for (const skew of [-301, 301, -86_400, 86_400]) {
      const timestamp = seconds + skew;
      expect(
        verifyDelivery(standard('m1', String(timestamp), body, signStandard(KEY, 'm1', timestamp, body))),
      ).toMatchObject({ ok: false, code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' });
    }
  });

  it('says which header is missing, and which is malformed', () => {
    const body = Buffer.from('{}');
    const delivery = (headers: Record<string, string>): SignedDelivery => ({
      ...standard('m', '1', body, ''),
      header: (name) => headers[name],
    });
    expect(verifyDelivery(delivery({ 'webhook-id': 'm', 'webhook-timestamp': '1' }))).toMatchObject({
      ok: false,
      code: 'WEBHOOK_HEADER_MISSING',
      message: expect.stringContaining('webhook-signature'),
    });
    expect(
      verifyDelivery(delivery({ 'webhook-id': 'm', 'webhook-timestamp': 'yesterday', 'webhook-signature': 'v1,AA==' })),
    ).toMatchObject({ code: 'WEBHOOK_HEADER_MALFORMED' });
    expect(
      verifyDelivery(delivery({ 'webhook-id': 'm', 'webhook-timestamp': '1', 'webhook-signature': 'nocomma' })),
    ).toMatchObject({ code: 'WEBHOOK_HEADER_MALFORMED' });
    expect(
      verifyDelivery(delivery({ 'webhook-id': 'm', 'webhook-timestamp': '1', 'webhook-signature': 'v1,not*base64' })),
    ).toMatchObject({ code: 'WEBHOOK_HEADER_MALFORMED' });
    expect(
      verifyDelivery(
        delivery({ 'webhook-id': 'with space', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AA==' }),
      ),
    ).toMatchObject({ code: 'WEBHOOK_HEADER_MALFORMED' });
  });

  it('never throws, whatever the headers say', () => {
    const text = fc.option(fc.string({ maxLength: 200 }), { nil: undefined });
    fc.assert(
      fc.property(text, text, text, bodies, (id, timestamp, signature, body) => {
        const headers: Record<string, string | undefined> = {
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': signature,
        };
        const verdict = verifyDelivery({ ...standard('', '', body, ''), header: (name) => headers[name] });
        expect(verdict.ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const parsed = parseStandardSignatures(header);
        expect(parsed === undefined || Array.isArray(parsed)).toBe(true);
      }),
    );
  });

  it('refuses signatures of the wrong length without throwing', () => {
    const body = Buffer.from('{}');
    for (const bytes of [0, 1, 31, 33, 64]) {
      const signature = bytes === 0 ? 'v1,=' : `v1,${Buffer.alloc(bytes, 7).toString('base64')}`;
      expect(verifyDelivery(standard('m1', String(seconds), body, signature)).ok).toBe(false);
    }
  });

  it('reads whsec_ secrets as base64 keys, and refuses what is not one', () => {
    expect(standardKey(`whsec_${KEY.toString('base64')}`)).toEqual(KEY);
    expect(standardKey('whsec_short')).toBeUndefined();
    expect(standardKey('http://not-base64')).toBeUndefined();
  });
});

describe('X-Hub-Signature-256 verification', () => {
  it('accepts what was signed and refuses any altered byte', () => {
    fc.assert(
      fc.property(
        bodies.filter((body) => body.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, at, delta) => {
          const signature = signHub(KEY, body);
          expect(verifyDelivery(hub(body, signature))).toEqual({ ok: true, id: 'delivery-1' });
          expect(verifyDelivery(hub(altered(body, at, delta), signature))).toMatchObject({
            ok: false,
            code: 'WEBHOOK_SIGNATURE_INVALID',
          });
        },
      ),
    );
  });

  it('rotates keys, and refuses missing and malformed headers', () => {
    const body = Buffer.from('{"action":"opened"}');
    expect(verifyDelivery(hub(body, signHub(OLD_KEY, body), 'd', [KEY, OLD_KEY])).ok).toBe(true);
    expect(verifyDelivery(hub(body, 'sha1=abc'))).toMatchObject({ code: 'WEBHOOK_HEADER_MALFORMED' });
    expect(verifyDelivery({ ...hub(body, ''), header: () => undefined })).toMatchObject({
      code: 'WEBHOOK_HEADER_MISSING',
    });
  });

  it('never throws, whatever the header says', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), bodies, (signature, body) => {
        expect(verifyDelivery(hub(body, signature)).ok).toBe(false);
      }),
    );
  });
});
