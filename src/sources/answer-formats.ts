/**
 * Upstream answers that are not plain JSON, each read into what the mapping
 * reads (records, lists, strings) by a well-kept parser where the format
 * needs one: JSON:API documents flattened into records, XML through
 * fast-xml-parser, CSV through csv-parse, NDJSON line by line, text as it
 * is. Which format an answer is: what the field declares (`@rest(answer:)`),
 * checked against the content type that came; with `AUTO`, the content type.
 */
import type { XMLParser } from 'fast-xml-parser';
import { deeperThan } from '../core/json-depth.ts';

export type AnswerFormat = 'JSON' | 'JSON_API' | 'TEXT' | 'CSV' | 'XML' | 'NDJSON' | 'AUTO';

interface FormatRule {
  /** Content types (without parameters) that are this format. */
  matches: RegExp;
  /** What the Accept header asks for. */
  accept: string;
  /** How an error message names it. */
  label: string;
}

export const FORMATS: Record<Exclude<AnswerFormat, 'AUTO'>, FormatRule> = {
  JSON: { matches: /^application\/(?:[\w.-]+\+)?json$/i, accept: 'application/json', label: 'JSON' },
  JSON_API: {
    matches: /^application\/(?:vnd\.api\+)?json$/i,
    accept: 'application/vnd.api+json',
    label: 'a JSON:API document',
  },
  TEXT: { matches: /^text\/plain$/i, accept: 'text/plain', label: 'text' },
  CSV: { matches: /^text\/csv$/i, accept: 'text/csv', label: 'CSV' },
  XML: { matches: /^(?:application|text)\/(?:[\w.-]+\+)?xml$/i, accept: 'application/xml, text/xml', label: 'XML' },
  NDJSON: {
    matches: /^application\/(?:x-ndjson|ndjson|jsonl|x-jsonlines|jsonlines)$/i,
    accept: 'application/x-ndjson',
    label: 'NDJSON',
  },
};

/** The order AUTO tries them in: the specific JSON types before plain JSON. */
const DETECTED: ReadonlyArray<Exclude<AnswerFormat, 'AUTO'>> = ['NDJSON', 'CSV', 'TEXT', 'XML', 'JSON'];

export function acceptHeader(format: AnswerFormat): string {
  return format === 'AUTO'
    ? 'application/json, application/xml, text/csv, text/plain, */*;q=0.1'
    : FORMATS[format].accept;
}

/** The format an answer of `contentType` is read as, or undefined when it is not one the field takes. */
export function formatOf(format: AnswerFormat, contentType: string): Exclude<AnswerFormat, 'AUTO'> | undefined {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (format !== 'AUTO') return FORMATS[format].matches.test(type) ? format : undefined;
  if (/^application\/vnd\.api\+json$/i.test(type)) return 'JSON_API';
  return DETECTED.find((candidate) => FORMATS[candidate].matches.test(type));
}

/** Thrown for a body its format's parser cannot read, saying what came ("a body that is not valid XML"); the caller names the source and status. */
export class UnreadableBody extends Error {}

/** The body text read as `format`. The XML and CSV parsers load on first use: a graph without such answers never loads them. */
export async function readAnswer(
  format: Exclude<AnswerFormat, 'AUTO'>,
  text: string,
  maxDepth: number,
): Promise<unknown> {
  switch (format) {
    case 'TEXT':
      return text;
    case 'CSV':
      return readCsv(text, (csvParse ??= import('csv-parse/sync').then((module) => module.parse)));
    case 'XML':
      return readXml(text, maxDepth, await (xmlParser ??= import('fast-xml-parser').then(makeXmlParser)));
    case 'NDJSON':
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, index) => readJson(line, maxDepth, `NDJSON whose line ${index + 1} is not valid JSON`));
    case 'JSON_API':
      return flattenJsonApi(readJson(text, maxDepth, 'a body that is not valid JSON'));
    case 'JSON':
      return readJson(text, maxDepth, 'a body that is not valid JSON');
  }
}

function readJson(text: string, maxDepth: number, problem: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableBody(problem);
  }
  // Checked after parsing: see deeperThan.
  if (deeperThan(value, maxDepth)) throw new UnreadableBody(`JSON nested deeper than ${maxDepth} levels`);
  return value;
}

let csvParse: Promise<typeof import('csv-parse/sync').parse> | undefined;
let xmlParser: Promise<XMLParser> | undefined;

/** Rows, by the header line's names; every value is text (`@from(as: NUMBER)` converts), an empty cell null. */
async function readCsv(
  text: string,
  parser: Promise<typeof import('csv-parse/sync').parse>,
): Promise<Array<Record<string, string | null>>> {
  const parseCsv = await parser;
  try {
    const rows = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Array<
      Record<string, string>
    >;
    return rows.map((row) => {
      const record: Record<string, string | null> = Object.create(null);
      for (const [name, value] of Object.entries(row)) record[name] = value === '' ? null : value;
      return record;
    });
  } catch (error) {
    throw new UnreadableBody(
      `a body that is not valid CSV (${(error as Error).message.split('\n')[0]?.slice(0, 120)})`,
    );
  }
}

/** Marks a record read from XML: where the graph says list, one element of it is a one-item list. */
export const FROM_XML = Symbol('graftql.fromXml');

const makeXmlParser = ({ XMLParser }: typeof import('fast-xml-parser')) =>
  new XMLParser({
    ignoreAttributes: false,
    // Attributes and child elements are both fields of the record: `<book id="7"><title>...` is { id, title }.
    attributeNamePrefix: '',
    textNodeName: '#text',
    // Values stay text, as CSV's do: "00123" is not 123 unless the graph converts it.
    parseTagValue: false,
    parseAttributeValue: false,
    // No DOCTYPE entity expansion (the entity-expansion attacks fast-xml-parser has had advisories for);
    // the five predefined entities and character references are decoded below, which cannot grow the text.
    processEntities: false,
    htmlEntities: false,
  });

function readXml(text: string, maxDepth: number, xmlParser: XMLParser): unknown {
  let parsed: unknown;
  try {
    parsed = xmlParser.parse(text, true);
  } catch (error) {
    if (error instanceof RangeError) throw new UnreadableBody(`XML nested deeper than ${maxDepth} levels`);
    throw new UnreadableBody(
      `a body that is not valid XML (${(error as Error).message.split('\n')[0]?.slice(0, 120)})`,
    );
  }
  const root = withoutDeclaration(parsed);
  return prepareXml(root, maxDepth, 0);
}

function withoutDeclaration(parsed: unknown): unknown {
  if (typeof parsed !== 'object' || parsed === null) return parsed;
  const { '?xml': _declaration, ...rest } = parsed as Record<string, unknown>;
  return rest;
}

/** Decodes entities in text, marks records FROM_XML, and bounds the depth. */
function prepareXml(value: unknown, maxDepth: number, depth: number): unknown {
  if (depth > maxDepth) throw new UnreadableBody(`XML nested deeper than ${maxDepth} levels`);
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map((item) => prepareXml(item, maxDepth, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const record: Record<string, unknown> = Object.create(null);
  for (const [name, child] of Object.entries(value)) record[name] = prepareXml(child, maxDepth, depth + 1);
  Object.defineProperty(record, FROM_XML, { value: true });
  return record;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** How deep relationships resolve into included resources (a cycle ends sooner). */
const RELATIONSHIP_DEPTH = 3;

/**
 * A JSON:API document with `data` as records: each resource's `id`, `type`
 * and attributes as fields, each relationship as the included resource it
 * names (itself flattened), or `{ id, type }` when it is not included.
 * `meta` and `links` stay where they are.
 */
function flattenJsonApi(document: unknown): unknown {
  if (typeof document !== 'object' || document === null || !('data' in document)) return document;
  const { data, included, ...rest } = document as { data: unknown; included?: unknown };
  const byKey = new Map<string, Record<string, unknown>>();
  for (const resource of Array.isArray(included) ? included : [])
    if (isResource(resource)) byKey.set(`${resource.type}:${resource.id}`, resource);
  const flatten = (resource: unknown, path: ReadonlySet<string>): unknown => {
    if (!isResource(resource)) return resource;
    const key = `${resource.type}:${resource.id}`;
    const record: Record<string, unknown> = {
      id: resource.id,
      type: resource.type,
      ...(typeof resource.attributes === 'object' && resource.attributes !== null ? resource.attributes : {}),
    };
    const relationships = resource.relationships;
    if (typeof relationships !== 'object' || relationships === null) return record;
    const inner = new Set(path).add(key);
    const link = (identifier: unknown) => {
      if (!isResource(identifier)) return identifier;
      const target = byKey.get(`${identifier.type}:${identifier.id}`);
      const own = `${identifier.type}:${identifier.id}`;
      return target && inner.size < RELATIONSHIP_DEPTH && !inner.has(own)
        ? flatten(target, inner)
        : { id: identifier.id, type: identifier.type };
    };
    for (const [name, relationship] of Object.entries(relationships as Record<string, unknown>)) {
      if (name in record) continue; // an attribute of the same name wins
      const linkage = (relationship as { data?: unknown } | null)?.data;
      record[name] = Array.isArray(linkage) ? linkage.map(link) : linkage === undefined ? undefined : link(linkage);
    }
    return record;
  };
  const flat = Array.isArray(data) ? data.map((item) => flatten(item, new Set())) : flatten(data, new Set());
  return { ...rest, data: flat };
}

function isResource(value: unknown): value is Record<string, unknown> & { id: unknown; type: unknown } {
  return typeof value === 'object' && value !== null && 'type' in value && 'id' in value;
}
