/**
 * Checks a `@compute` expression at start-up: what kind of value each part
 * makes, where that is known (a literal, an operator's result, a method's);
 * an upstream field's value is known only at run time, so it passes here and
 * its field's type is checked as it is mapped. Refused: an operator or method
 * on a kind of value it is not defined for, an unknown method or the wrong
 * number of arguments, a lambda reading anything but its parameter (which
 * keeps evaluation linear), and a result the field's type cannot hold.
 */
import { type Expression, startOf } from './parse-expression.ts';

/** What a part of an expression makes; `unknown` is decided by the upstream's data. */
export type ValueKind = 'number' | 'string' | 'boolean' | 'null' | 'list' | 'unknown';

export interface ExpressionProblem {
  message: string;
  offset: number;
}

interface MethodRule {
  on: ReadonlyArray<ValueKind>;
  /** The arguments it takes: a lambda, a value, or none. */
  takes: 'lambda' | 'optional value' | 'none';
  makes: ValueKind;
}

const METHODS: Record<string, MethodRule> = {
  map: { on: ['list'], takes: 'lambda', makes: 'list' },
  filter: { on: ['list'], takes: 'lambda', makes: 'list' },
  sortBy: { on: ['list'], takes: 'lambda', makes: 'list' },
  first: { on: ['list'], takes: 'none', makes: 'unknown' },
  last: { on: ['list'], takes: 'none', makes: 'unknown' },
  join: { on: ['list'], takes: 'optional value', makes: 'string' },
  sum: { on: ['list'], takes: 'none', makes: 'number' },
  length: { on: ['list', 'string'], takes: 'none', makes: 'number' },
  upper: { on: ['string'], takes: 'none', makes: 'string' },
  lower: { on: ['string'], takes: 'none', makes: 'string' },
  trim: { on: ['string'], takes: 'none', makes: 'string' },
  round: { on: ['number'], takes: 'none', makes: 'number' },
  number: { on: ['string', 'number'], takes: 'none', makes: 'number' },
  string: { on: ['string', 'number', 'boolean'], takes: 'none', makes: 'string' },
};

export const METHOD_NAMES = Object.keys(METHODS);

/** The kinds of value a field of this GraphQL type can hold, by its named type and whether it is a list. */
export function kindsFor(namedType: string, list: boolean, isEnum: boolean): ReadonlySet<ValueKind> {
  if (list) return new Set(['list', 'null']);
  switch (namedType) {
    case 'Int':
    case 'Float':
      return new Set(['number', 'null']);
    case 'Boolean':
      return new Set(['boolean', 'null']);
    case 'String':
    case 'ID':
      return new Set(['string', 'number', 'boolean', 'null']);
    default:
      return isEnum ? new Set(['string', 'null']) : new Set(['number', 'string', 'boolean', 'list', 'null']);
  }
}

export function checkExpression(
  expression: Expression,
  accepts: ReadonlySet<ValueKind>,
  typeName: string,
): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  const kind = kindOf(expression, undefined, problems);
  if (problems.length === 0 && kind !== 'unknown' && !accepts.has(kind))
    problems.push({
      message: `The expression makes ${article(kind)}; the field is ${typeName}.`,
      offset: startOf(expression),
    });
  return problems;
}

function kindOf(expression: Expression, parameter: string | undefined, problems: ExpressionProblem[]): ValueKind {
  const expect = (part: Expression, allowed: ReadonlyArray<ValueKind>, what: string): void => {
    const kind = kindOf(part, parameter, problems);
    if (kind !== 'unknown' && !allowed.includes(kind))
      problems.push({
        message: `${what} takes ${allowed.map(article).join(' or ')}, not ${article(kind)}.`,
        offset: part.at,
      });
  };
  switch (expression.kind) {
    case 'literal':
      return expression.value === null ? 'null' : (typeof expression.value as ValueKind);
    case 'name':
      if (parameter !== undefined && expression.name !== parameter)
        problems.push({
          message: `A lambda reads only its parameter (${parameter}), not "${expression.name}".`,
          offset: expression.at,
        });
      return 'unknown';
    case 'member':
      kindOf(expression.target, parameter, problems);
      return 'unknown';
    case 'template':
      for (const part of expression.parts) if (typeof part !== 'string') kindOf(part, parameter, problems);
      return 'string';
    case 'unary':
      if (expression.operator === '-') {
        expect(expression.operand, ['number'], 'Negation');
        return 'number';
      }
      kindOf(expression.operand, parameter, problems);
      return 'boolean';
    case 'binary':
      return binaryKind(expression, parameter, problems, expect);
    case 'conditional': {
      kindOf(expression.test, parameter, problems);
      const then = kindOf(expression.then, parameter, problems);
      const otherwise = kindOf(expression.otherwise, parameter, problems);
      return then === otherwise || otherwise === 'null' ? then : then === 'null' ? otherwise : 'unknown';
    }
    case 'method':
      return methodKind(expression, parameter, problems);
    case 'lambda':
      problems.push({ message: 'A lambda is a method argument: items.map(item => item.name).', offset: expression.at });
      return 'unknown';
  }
}

function binaryKind(
  expression: Extract<Expression, { kind: 'binary' }>,
  parameter: string | undefined,
  problems: ExpressionProblem[],
  expect: (part: Expression, allowed: ReadonlyArray<ValueKind>, what: string) => void,
): ValueKind {
  const { operator, left, right } = expression;
  switch (operator) {
    case '&&':
    case '||':
    case '==':
    case '!=':
      kindOf(left, parameter, problems);
      kindOf(right, parameter, problems);
      return 'boolean';
    case '<':
    case '<=':
    case '>':
    case '>=':
      expect(left, ['number', 'string'], `"${operator}"`);
      expect(right, ['number', 'string'], `"${operator}"`);
      return 'boolean';
    case '??': {
      const first = kindOf(left, parameter, problems);
      const second = kindOf(right, parameter, problems);
      return first === 'null' ? second : first === second ? first : 'unknown';
    }
    case '+': {
      const a = kindOf(left, parameter, problems);
      const b = kindOf(right, parameter, problems);
      for (const [part, kind] of [
        [left, a],
        [right, b],
      ] as const)
        if (kind === 'boolean' || kind === 'list' || kind === 'null')
          problems.push({ message: `"+" adds numbers or joins strings, not ${article(kind)}.`, offset: part.at });
      return a === 'string' || b === 'string' ? 'string' : a === 'number' && b === 'number' ? 'number' : 'unknown';
    }
    default:
      expect(left, ['number'], `"${operator}"`);
      expect(right, ['number'], `"${operator}"`);
      return 'number';
  }
}

function methodKind(
  expression: Extract<Expression, { kind: 'method' }>,
  parameter: string | undefined,
  problems: ExpressionProblem[],
): ValueKind {
  const target = kindOf(expression.target, parameter, problems);
  const rule = METHODS[expression.name];
  if (!rule) {
    problems.push({
      message: `There is no method "${expression.name}" (methods: ${METHOD_NAMES.join(', ')}).`,
      offset: expression.at,
    });
    return 'unknown';
  }
  if (target !== 'unknown' && !rule.on.includes(target))
    problems.push({
      message: `${expression.name}() applies to ${rule.on.map(article).join(' or ')}, not ${article(target)}.`,
      offset: expression.at,
    });
  const [first, ...rest] = expression.args;
  const arity = rule.takes === 'none' ? 0 : 1;
  if (expression.args.length > arity || (rule.takes === 'lambda' && !first)) {
    const usage =
      rule.takes === 'lambda' ? 'one lambda, item => …' : rule.takes === 'none' ? 'no arguments' : 'at most one value';
    problems.push({ message: `${expression.name}() takes ${usage}.`, offset: (rest[0] ?? first ?? expression).at });
    return rule.makes;
  }
  if (rule.takes === 'lambda' && first) {
    if (first.kind !== 'lambda')
      problems.push({ message: `${expression.name}() takes a lambda, item => …`, offset: first.at });
    else kindOf(first.body, first.parameter, problems);
  } else if (first) {
    const kind = kindOf(first, parameter, problems);
    if (kind !== 'unknown' && kind !== 'string')
      problems.push({ message: `join() takes a string separator, not ${article(kind)}.`, offset: first.at });
  }
  return rule.makes;
}

function article(kind: ValueKind): string {
  switch (kind) {
    case 'null':
      return 'null';
    case 'unknown':
      return 'any value';
    case 'list':
      return 'a list';
    default:
      return `a ${kind}`;
  }
}
