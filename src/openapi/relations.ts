/**
 * Relations between the types of an import's documents, made once every
 * document is generated, so that they cross documents as easily as they
 * stay inside one:
 *
 * - an OpenAPI link on a read's answer (`links: { weather: { operationRef:
 *   'weather.json#/paths/~1weather/get', parameters: { q: '$response.body#/city' } } }`)
 *   becomes a field of the answer's type that makes the linked read with
 *   those parameters taken from the parent;
 * - an id field marked `x-graftql-ref: User`, or named after a type
 *   (`article_id` → Article), becomes `article: Article @ref(…)` when some
 *   document reads that type by id.
 *
 * Each relation is written into the file of the document that owns its
 * type (`extend type …`); what cannot be made is said in the report.
 */

import { descriptionLine } from './description-line.ts';
import { camelCase, pascalCase } from './names.ts';

/** A Query field the import generated for a read. */
export interface GeneratedRead {
  field: string;
  /** Its argument declarations (`id: ID! @globalId(type: "User")`). */
  args: string[];
  type: string;
  /** `@rest(…)`, reading its arguments as `$args.<name>`. */
  directive: string;
  /** Each OpenAPI parameter's argument. */
  params: Map<string, string>;
  /** The read by id of its type (its `@node(fetch:)`). */
  byId?: boolean;
  /** The description line, with its indentation and newline, or ''. */
  description: string;
}

/** An OpenAPI Link Object: the parts the import follows. */
export interface LinkObject {
  operationId?: string;
  operationRef?: string;
  parameters?: Record<string, unknown>;
  description?: string;
}

/** What one document's generation leaves for relations. */
export interface GeneratedGraph {
  source: string;
  title?: string;
  /** By `GET /path`. */
  reads: Map<string, GeneratedRead>;
  /** operationId → `GET /path`. */
  operationIds: Map<string, string>;
  /** Type → the Query field that reads it by id. */
  fetchers: Map<string, string>;
  /** Type → its fields, by the property they read. */
  fields: Map<string, Map<string, string>>;
  /** Type → the fields the document itself added to it (nested collections, ids it reads by id). */
  related: Map<string, string[]>;
  links: Array<{ owner: string; name: string; link: LinkObject; from: string }>;
  /** Id fields to follow: to `target` when the document says which type (x-graftql-ref), else to the type the name says. */
  references: Array<{ owner: string; idField: string; target?: string }>;
}

export interface Related {
  /** `extend type …` blocks for the document's file, or ''. */
  sdl: string;
  report: { relations: string[]; guesses: string[] };
}

const LINK_BODY = '$response.body#/';

export function relate(graphs: readonly GeneratedGraph[]): Related[] {
  return graphs.map((graph) => {
    /** By owner: the relation fields made here, by name. */
    const added = new Map<string, Map<string, string>>();
    const report: Related['report'] = { relations: [], guesses: [] };
    const taken = (owner: string) =>
      new Set([
        ...(graph.fields.get(owner)?.values() ?? []),
        ...(graph.related.get(owner) ?? []),
        ...(added.get(owner)?.keys() ?? []),
      ]);
    const add = (owner: string, name: string, declaration: string) => {
      if (!added.has(owner)) added.set(owner, new Map());
      added.get(owner)?.set(name, declaration);
    };

    for (const { owner, name, link, from } of graph.links) {
      const field = camelCase(name);
      const where = `${from}: link ${JSON.stringify(name)}`;
      if (taken(owner).has(field)) {
        report.guesses.push(`${where}: ${owner} already has a field ${field} (not made)`);
        continue;
      }
      const target = linkTarget(graph, graphs, link);
      if (typeof target === 'string') {
        report.guesses.push(`${where}: ${target} (not made)`);
        continue;
      }
      const bound = bindings(link, target.read, graph.fields.get(owner));
      if (typeof bound === 'string') {
        report.guesses.push(`${where}: ${bound} (not made)`);
        continue;
      }
      add(
        owner,
        field,
        `${descriptionLine(link.description) || target.read.description}  ${field}${relationOf(target.read, bound)}`,
      );
      report.relations.push(`${owner}.${field} → ${target.graph.source}: ${target.label} (OpenAPI link)`);
    }

    for (const { owner, idField, target: named } of graph.references) {
      const type = named ?? pascalCase(idField.replace(/Id$/, ''));
      const reader = graphs.find((other) => other.fetchers.has(type));
      const fetch = reader?.fetchers.get(type);
      if (!reader || !fetch) {
        report.guesses.push(
          named
            ? `${owner}.${idField}: x-graftql-ref names ${type}, which no imported document reads by id (not made)`
            : `${owner}.${idField}: an id of something no imported document reads a ${type} by; if a source does, add a @ref to it (or x-graftql-ref to the document)`,
        );
        continue;
      }
      const field = idField.endsWith('Id') && idField !== 'Id' ? idField.slice(0, -2) : camelCase(type);
      if (taken(owner).has(field)) {
        if (named) report.guesses.push(`${owner}.${idField}: ${owner} already has a field ${field} (not made)`);
        continue;
      }
      add(owner, field, `  ${field}: ${type} @ref(query: "${fetch}", args: { id: "$parent.${idField}" })`);
      report.relations.push(
        `${owner}.${field} → ${reader.source}: ${type} by id (${named ? 'x-graftql-ref' : `the name ${idField}`})`,
      );
    }

    const blocks = [...added].map(
      ([owner, fields]) => `extend type ${owner} {\n${[...fields.values()].join('\n')}\n}\n`,
    );
    return {
      sdl:
        blocks.length > 0
          ? `# Relations the import made (OpenAPI links, ids of types a document reads by id).\n${blocks.join('\n')}`
          : '',
      report,
    };
  });
}

/** The read a link names, in this document or another of the import; or why there is none. */
function linkTarget(
  graph: GeneratedGraph,
  graphs: readonly GeneratedGraph[],
  { operationId, operationRef }: LinkObject,
): { graph: GeneratedGraph; label: string; read: GeneratedRead } | string {
  let found: { graph: GeneratedGraph; label: string } | undefined;
  if (typeof operationRef === 'string') {
    const [uri = '', pointer = ''] = operationRef.split('#');
    const document = uri === '' ? graph : graphs.find((other) => documentNames(other).has(documentName(uri)));
    if (!document)
      return `operationRef ${JSON.stringify(operationRef)} names a document this import did not read (import it in the same run)`;
    const parts = pointer.split('/').map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts[1] !== 'paths' || parts.length !== 4)
      return `operationRef ${JSON.stringify(operationRef)} is not a #/paths/{path}/{method} pointer`;
    found = { graph: document, label: `${parts[3]?.toUpperCase()} ${parts[2]}` };
  } else if (typeof operationId === 'string') {
    // The spec resolves operationId in the link's own document; another's is a convenience, taken only when one document has it.
    const owners = graph.operationIds.has(operationId)
      ? [graph]
      : graphs.filter((other) => other.operationIds.has(operationId));
    if (owners.length !== 1)
      return owners.length === 0
        ? `no imported document has the operation ${operationId}`
        : `several documents have the operation ${operationId}: use operationRef`;
    const [owner] = owners as [GeneratedGraph];
    found = { graph: owner, label: owner.operationIds.get(operationId) as string };
  } else return 'the link names no operation';
  const read = found.graph.reads.get(found.label);
  return read
    ? { ...found, read }
    : `${found.graph.source}'s ${found.label} is not a read the import mapped to a Query field`;
}

/** Each bound argument's value in a template: `$parent.<field>` or a constant; or why a parameter cannot be bound. */
function bindings(
  link: LinkObject,
  read: GeneratedRead,
  fields: Map<string, string> | undefined,
): Map<string, { parent: string } | { constant: string }> | string {
  const bound = new Map<string, { parent: string } | { constant: string }>();
  for (const [key, expression] of Object.entries(link.parameters ?? {})) {
    // `path.id`, `query.q`: the spec's way to say which parameter of that name.
    const name = key.replace(/^(path|query|header|cookie)\./, '');
    const arg = read.params.get(name);
    if (!arg) return `${read.field} has no parameter ${name}`;
    if (typeof expression === 'string' && expression.startsWith('$')) {
      const property = expression.startsWith(LINK_BODY)
        ? expression.slice(LINK_BODY.length).replace(/~1/g, '/').replace(/~0/g, '~')
        : undefined;
      const field = property === undefined ? undefined : fields?.get(property);
      if (!field)
        return `the parameter ${name} reads ${expression}, and only a top-level field of the answer ($response.body#/<field>) can be followed`;
      bound.set(arg, { parent: field });
    } else if (['string', 'number', 'boolean'].includes(typeof expression))
      bound.set(arg, { constant: String(expression) });
    else return `the parameter ${name} has a value that is neither an expression nor a constant`;
  }
  return bound;
}

/** The relation's arguments, type and directive: a read by id through @ref, any other read's @rest with its bound arguments filled in. */
function relationOf(read: GeneratedRead, bound: Map<string, { parent: string } | { constant: string }>): string {
  const only = [...bound];
  const [arg, value] = only[0] ?? [];
  if (read.byId && only.length === 1 && arg === 'id' && value && 'parent' in value)
    return `: ${read.type} @ref(query: "${read.field}", args: { id: "$parent.${value.parent}" })`;
  let directive = read.directive;
  for (const [name, value] of bound) {
    const inPath = 'parent' in value ? `{$parent.${value.parent}}` : encodeURIComponent(value.constant);
    const inValue = 'parent' in value ? `"$parent.${value.parent}"` : JSON.stringify(value.constant);
    directive = directive.replaceAll(`{$args.${name}}`, inPath).replaceAll(`"$args.${name}"`, inValue);
  }
  const args = read.args.filter((declaration) => !bound.has(argumentName(declaration)));
  return `${args.length > 0 ? `(${args.join(', ')})` : ''}: ${read.type}\n    ${directive}`;
}

/** What an operationRef's URI may call a document: `./weather.json`, `https://x/weather/openapi.yaml` → weather. */
function documentName(uri: string): string {
  const parts = uri.split(/[?]/)[0]?.split('/').filter(Boolean) ?? [];
  const file = (parts.at(-1) ?? '').replace(/\.(json|ya?ml)$/i, '');
  // A service's `/openapi.json` is named by the folder (or host) before it.
  return (/^(openapi|swagger)$/i.test(file) ? (parts.at(-2) ?? file) : file).toLowerCase();
}

function documentNames({ source, title }: GeneratedGraph): Set<string> {
  return new Set([source.toLowerCase(), ...(title ? [title.toLowerCase(), camelCase(title).toLowerCase()] : [])]);
}

/** `id: ID! @globalId(type: "User")` → id. */
function argumentName(declaration: string): string {
  return declaration.slice(0, declaration.indexOf(':')).trim();
}
