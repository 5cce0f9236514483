/**
 * The shape of src/, checked in CI (`npm run architecture`):
 * - no import cycle between files, type-only imports included (Biome's
 *   noImportCycles skips `import type`, which is how cycles hid before);
 * - each folder imports only the folders ARCHITECTURE.md allows it, and
 *   mapping/compile and mapping/run do not import each other;
 * - no function longer than MAX_FUNCTION_LINES; the longest ten are printed.
 * Exits 1 naming every problem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/**
 * What each part of src/ may import besides itself (ARCHITECTURE.md draws
 * the same). `core` is src/core/ and src/errors.ts; a file directly in src/
 * other than errors.ts is the package's entry (`index`).
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  config: ['core'],
  uploads: ['core'],
  cache: ['core'],
  telemetry: ['core'],
  auth: ['core'],
  sources: ['core', 'config', 'cache', 'telemetry', 'uploads'],
  pagination: ['core', 'sources'],
  loaders: ['core', 'sources'],
  events: ['core', 'config', 'telemetry'],
  replicas: ['core', 'cache', 'events', 'sources', 'telemetry'],
  observability: ['core', 'config', 'cache', 'replicas', 'sources', 'telemetry'],
  mapping: ['core', 'auth', 'config', 'cache', 'events', 'loaders', 'pagination', 'sources', 'telemetry', 'uploads'],
  pipeline: ['core', 'auth', 'config', 'cache', 'mapping', 'pagination', 'telemetry'],
  openapi: ['core'],
  server: [
    'core',
    'auth',
    'config',
    'cache',
    'events',
    'mapping',
    'observability',
    'pagination',
    'pipeline',
    'replicas',
    'sources',
    'telemetry',
    'uploads',
  ],
  index: [
    'core',
    'auth',
    'config',
    'events',
    'loaders',
    'mapping',
    'observability',
    'pagination',
    'server',
    'sources',
    'telemetry',
    'uploads',
  ],
  cli: ['index', 'openapi', 'core'],
};

/** The longest function allowed (issue 31): a function that grows past it is split, not let through. */
const MAX_FUNCTION_LINES = 120;

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

interface FileInfo {
  imports: string[];
  functions: Array<{ name: string; line: number; lines: number }>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `compile` or `run` for a file of mapping/compile/ or mapping/run/, which may not import each other. */
function phaseOf(file: string): string | undefined {
  const [first, second] = relative(src, file).split('/');
  return first === 'mapping' && (second === 'compile' || second === 'run') ? second : undefined;
}

function partOf(file: string): string {
  const [first, second] = relative(src, file).split('/');
  if (second !== undefined) return first === 'core' ? 'core' : (first as string);
  return first === 'errors.ts' ? 'core' : 'index';
}

function read(file: string): FileInfo {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const functions: FileInfo['functions'] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) &&
            node.expression.kind === ts.SyntaxKind.ImportKeyword &&
            node.arguments[0] &&
            ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : ts.isImportTypeNode(node) &&
              ts.isLiteralTypeNode(node.argument) &&
              ts.isStringLiteral(node.argument.literal)
            ? node.argument.literal.text
            : undefined;
    if (specifier?.startsWith('.')) imports.push(normalize(join(dirname(file), specifier)));
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const line = lineOf(node.getStart(source));
      functions.push({ name: nameOf(node), line, lines: lineOf(node.getEnd()) - line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, functions };
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (
    named.name &&
    (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name) || ts.isPrivateIdentifier(named.name))
  )
    return named.name.text;
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    ts.isIdentifier(parent.name)
  )
    return parent.name.text;
  return '(anonymous)';
}

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) found.push(component);
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return found;
}

const files = new Map(sourceFiles(src).map((file) => [file, read(file)]));
const problems: string[] = [];
const name = (file: string) => relative(root, file);

for (const component of cycles(new Map([...files].map(([file, info]) => [file, info.imports])))) {
  problems.push(`an import cycle (type-only imports count) among: ${component.map(name).join(', ')}`);
}
for (const [file, { imports }] of files) {
  const from = partOf(file);
  const allowed = MAY_IMPORT[from];
  if (!allowed) {
    problems.push(`${name(file)}: ${from}/ is not in MAY_IMPORT (scripts/check-architecture.ts) nor ARCHITECTURE.md`);
    continue;
  }
  for (const target of imports) {
    const to = partOf(target);
    if (to !== from && !allowed.includes(to))
      problems.push(
        `${name(file)} imports ${name(target)}: ${from}/ may import ${allowed.join(', ') || 'nothing else'} (ARCHITECTURE.md)`,
      );
    const phases = [phaseOf(file), phaseOf(target)];
    if (phases[0] && phases[1] && phases[0] !== phases[1])
      problems.push(
        `${name(file)} imports ${name(target)}: mapping/compile and mapping/run share only what is in mapping/ (ARCHITECTURE.md)`,
      );
  }
}
const longest = [...files]
  .flatMap(([file, { functions }]) => functions.map((fn) => ({ ...fn, file: name(file) })))
  .sort((a, b) => b.lines - a.lines);
for (const fn of longest.filter((fn) => fn.lines > MAX_FUNCTION_LINES))
  problems.push(`${fn.file}:${fn.line} ${fn.name} is ${fn.lines} lines; at most ${MAX_FUNCTION_LINES}`);

console.log(`longest functions in src/ (at most ${MAX_FUNCTION_LINES} lines):`);
for (const fn of longest.slice(0, 10))
  console.log(`  ${String(fn.lines).padStart(4)}  ${fn.file}:${fn.line} ${fn.name}`);
if (problems.length > 0) {
  console.error(
    `\n${problems.length} architecture problem${problems.length === 1 ? '' : 's'}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(`no import cycle, no import across the layers ARCHITECTURE.md draws (${files.size} files)`);
