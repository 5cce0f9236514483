/** Each answer format read as the mapping reads it, on shapes real APIs send; anything unreadable is an UnreadableBody, never another exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_XML, formatOf, readAnswer, UnreadableBody } from '../../src/sources/answer-formats.ts';
import { BOOKS_XML, EVENTS_NDJSON, JSON_API_ARTICLES, RATES_CSV } from '../fixtures/answer-formats.ts';

describe('formats by content type', () => {
  it.each([
    ['JSON', 'application/json; charset=utf-8', 'JSON'],
    ['JSON', 'application/problem+json', 'JSON'],
    ['JSON', 'text/html', undefined],
    ['XML', 'text/xml', 'XML'],
    ['XML', 'application/atom+xml', 'XML'],
    ['XML', 'application/json', undefined],
    ['CSV', 'text/csv; header=present', 'CSV'],
    ['TEXT', 'text/plain;charset=UTF-8', 'TEXT'],
    ['NDJSON', 'application/x-ndjson', 'NDJSON'],
    ['JSON_API', 'application/vnd.api+json', 'JSON_API'],
    ['AUTO', 'application/vnd.api+json', 'JSON_API'],
    ['AUTO', 'application/jsonl', 'NDJSON'],
    ['AUTO', 'text/csv', 'CSV'],
    ['AUTO', 'application/rss+xml', 'XML'],
    ['AUTO', 'application/json', 'JSON'],
    ['AUTO', 'image/png', undefined],
  ] as const)('%s takes %s as %s', (declared, contentType, read) => {
    expect(formatOf(declared, contentType)).toBe(read);
  });
});

describe('JSON:API', () => {
  it("flattens the spec's compound document: attributes as fields, relationships as the included resources", async () => {
    const flat = (await readAnswer('JSON_API', JSON.stringify(JSON_API_ARTICLES), 64)) as {
      data: unknown[];
      links: unknown;
    };
    expect(flat.links).toEqual(JSON_API_ARTICLES.links);
    expect(flat.data).toEqual([
      {
        id: '1',
        type: 'articles',
        title: 'JSON:API paints my bikeshed!',
        author: { id: '9', type: 'people', firstName: 'Dan', lastName: 'Gebhardt', twitter: 'dgeb' },
        comments: [
          // Person 2 is not included: the relationship is the identifier alone.
          { id: '5', type: 'comments', body: 'First!', author: { id: '2', type: 'people' } },
          {
            id: '12',
            type: 'comments',
            body: 'I like XML better',
            author: { id: '9', type: 'people', firstName: 'Dan', lastName: 'Gebhardt', twitter: 'dgeb' },
          },
        ],
      },
    ]);
  });

  it('ends a relationship cycle with the identifier, and keeps a single resource as one record', async () => {
    const cyclic = {
      data: { type: 'a', id: '1', relationships: { other: { data: { type: 'b', id: '2' } } } },
      included: [
        { type: 'b', id: '2', relationships: { back: { data: { type: 'a', id: '1' } } } },
        { type: 'a', id: '1', relationships: { other: { data: { type: 'b', id: '2' } } } },
      ],
    };
    expect(((await readAnswer('JSON_API', JSON.stringify(cyclic), 64)) as { data: unknown }).data).toEqual({
      id: '1',
      type: 'a',
      other: { id: '2', type: 'b', back: { id: '1', type: 'a' } },
    });
  });
});

describe('XML', () => {
  it('reads elements and attributes as fields, values as text, the predefined entities and character references decoded', async () => {
    const catalog = (await readAnswer('XML', BOOKS_XML, 64)) as { catalog: { book: Array<Record<string, unknown>> } };
    const [first, second] = catalog.catalog.book;
    expect(first).toMatchObject({ id: 'bk101', author: 'Gambardella, Matthew', price: '44.95' });
    expect(second?.author).toEqual(['Ralls, Kim', 'Corets, Eva']);
    expect(FROM_XML in (first as object)).toBe(true);
  });

  it('never expands an entity the document declares itself (the entity-expansion attacks)', async () => {
    const catalog = (await readAnswer('XML', BOOKS_XML, 64)) as { catalog: { book: Array<{ description: string }> } };
    expect(catalog.catalog.book[0]?.description).toBe(
      'An in-depth look at creating applications with XML & more — &boom;.',
    );
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;&c;&c;</l>`;
    expect(await readAnswer('XML', laughs, 64)).toEqual({ l: '&c;&c;&c;' });
  });

  it('refuses XML nested deeper than the limit, and XML that is not well formed', async () => {
    await expect(readAnswer('XML', `${'<a>'.repeat(100)}x${'</a>'.repeat(100)}`, 64)).rejects.toThrow(UnreadableBody);
    await expect(readAnswer('XML', '<a><b></a>', 64)).rejects.toThrow(/not valid XML/);
  });

  it('refuses an element named __proto__ (fast-xml-parser guards it), and pollutes nothing', async () => {
    await expect(readAnswer('XML', '<r><__proto__><polluted>yes</polluted></__proto__></r>', 64)).rejects.toThrow(
      UnreadableBody,
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    const read = (await readAnswer('XML', '<r><toString>c</toString></r>', 64)) as { r: object };
    expect(Object.getPrototypeOf(read.r)).toBeNull();
  });
});

describe('CSV, NDJSON, text', () => {
  it('reads CSV rows by the header line: BOM dropped, quoted commas kept, an empty cell null, values as text', async () => {
    expect(await readAnswer('CSV', RATES_CSV, 64)).toEqual([
      { currency: 'EUR', rate: '1.0', name: 'Euro, the common one' },
      { currency: 'USD', rate: '1.08', name: null },
      { currency: 'JPY', rate: '161.2', name: 'Yen' },
    ]);
    await expect(readAnswer('CSV', 'a,b\n1,2,3\n', 64)).rejects.toThrow(/not valid CSV/);
  });

  it('reads NDJSON line by line, naming a line that is not JSON', async () => {
    expect(await readAnswer('NDJSON', EVENTS_NDJSON, 64)).toHaveLength(3);
    await expect(readAnswer('NDJSON', '{"a":1}\n{"a":\n', 64)).rejects.toThrow('NDJSON whose line 2 is not valid JSON');
  });

  it('reads text as it is', async () => {
    expect(await readAnswer('TEXT', 'Hello\n', 64)).toBe('Hello\n');
  });
});

describe('any body at all', () => {
  it('is read, or refused with UnreadableBody', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('JSON', 'JSON_API', 'CSV', 'XML', 'NDJSON', 'TEXT' as const),
        fc.string({ unit: fc.constantFrom(...'<>/a="\'&;#x,\n{}[]:1 !?-'.split('')), maxLength: 200 }),
        async (format, text) => {
          try {
            await readAnswer(format, text, 16);
          } catch (error) {
            expect(error).toBeInstanceOf(UnreadableBody);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
