/**
 * Runs a `@compute` expression over one upstream record. Total: every
 * operator and method is defined on every value (arithmetic on a
 * non-number, a member of a non-object, a method on the wrong kind of
 * value, a division by zero: null), so evaluation never throws; the field's
 * type is checked afterwards, as for any mapped value. Linear: a lambda reads
 * only its own parameter (the checker refuses anything else), so a list
 * method visits each item once with work bounded by the lambda's size;
 * `sortBy` adds its log factor. `meter`, when given, counts the steps taken
 * (the property tests bound it).
 */
import type { Expression } from './parse-expression.ts';

export interface Meter {
  steps: number;
}

interface Scope {
  record: unknown;
  parameter: string | undefined;
  item: unknown;
}

export function evaluateExpression(expression: Expression, record: unknown, meter?: Meter): unknown {
  const value = evaluate(expression, { record, parameter: undefined, item: undefined }, meter);
  return value === undefined ? null : value;
}

function evaluate(expression: Expression, scope: Scope, meter: Meter | undefined): unknown {
  if (meter) meter.steps++;
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'name':
      return expression.name === scope.parameter ? scope.item : member(scope.record, expression.name);
    case 'member':
      return member(evaluate(expression.target, scope, meter), expression.name);
    case 'template':
      return expression.parts
        .map((part) => (typeof part === 'string' ? part : text(evaluate(part, scope, meter))))
        .join('');
    case 'unary': {
      const operand = evaluate(expression.operand, scope, meter);
      return expression.operator === '!' ? !truthy(operand) : typeof operand === 'number' ? finite(-operand) : null;
    }
    case 'binary':
      return binary(expression, scope, meter);
    case 'conditional':
      return truthy(evaluate(expression.test, scope, meter))
        ? evaluate(expression.then, scope, meter)
        : evaluate(expression.otherwise, scope, meter);
    case 'method':
      return method(expression, scope, meter);
    case 'lambda':
      return null; // only meaningful as a method's argument
  }
}

function binary(expression: Extract<Expression, { kind: 'binary' }>, scope: Scope, meter: Meter | undefined): unknown {
  const left = evaluate(expression.left, scope, meter);
  switch (expression.operator) {
    case '&&':
      return truthy(left) && truthy(evaluate(expression.right, scope, meter));
    case '||':
      return truthy(left) || truthy(evaluate(expression.right, scope, meter));
    case '??':
      return left === null || left === undefined ? evaluate(expression.right, scope, meter) : left;
  }
  const right = evaluate(expression.right, scope, meter);
  switch (expression.operator) {
    case '==':
      return same(left, right);
    case '!=':
      return !same(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(expression.operator, left, right);
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return finite(left + right);
      return typeof left === 'string' || typeof right === 'string' ? text(left) + text(right) : null;
  }
  if (typeof left !== 'number' || typeof right !== 'number') return null;
  switch (expression.operator) {
    case '-':
      return finite(left - right);
    case '*':
      return finite(left * right);
    case '/':
      return finite(left / right);
    default:
      return finite(left % right);
  }
}

function method(expression: Extract<Expression, { kind: 'method' }>, scope: Scope, meter: Meter | undefined): unknown {
  const target = evaluate(expression.target, scope, meter);
  const [first] = expression.args;
  const each = (item: unknown) => {
    if (first?.kind !== 'lambda') return null;
    return evaluate(first.body, { record: scope.record, parameter: first.parameter, item }, meter);
  };
  if (typeof target === 'string') {
    switch (expression.name) {
      case 'length':
        return target.length;
      case 'upper':
        return target.toUpperCase();
      case 'lower':
        return target.toLowerCase();
      case 'trim':
        return target.trim();
      case 'number':
        return target.trim() !== '' && Number.isFinite(Number(target)) ? Number(target) : null;
      case 'string':
        return target;
    }
    return null;
  }
  if (typeof target === 'number') {
    switch (expression.name) {
      case 'round':
        return Math.round(target);
      case 'string':
        return String(target);
      case 'number':
        return target;
    }
    return null;
  }
  if (!Array.isArray(target))
    return expression.name === 'string' && typeof target === 'boolean' ? String(target) : null;
  switch (expression.name) {
    case 'length':
      return target.length;
    case 'first':
      return target[0] ?? null;
    case 'last':
      return target.at(-1) ?? null;
    case 'map':
      return target.map(each);
    case 'filter':
      return target.filter((item) => truthy(each(item)));
    case 'sortBy':
      return sortBy(target, each, meter);
    case 'sum':
      return finite(target.reduce<number>((total, item) => (typeof item === 'number' ? total + item : total), 0));
    case 'join': {
      const separator = first ? evaluate(first, scope, meter) : ', ';
      return target
        .filter((item) => item !== null && item !== undefined)
        .map(text)
        .join(typeof separator === 'string' ? separator : ', ');
    }
  }
  return null;
}

/** Stable, by each item's key: numbers before strings, anything else last, in its original order. */
function sortBy(items: unknown[], keyOf: (item: unknown) => unknown, meter: Meter | undefined): unknown[] {
  const keyed = items.map((item, index) => ({ item, index, key: keyOf(item) }));
  const rank = (key: unknown) => (typeof key === 'number' ? 0 : typeof key === 'string' ? 1 : 2);
  keyed.sort((a, b) => {
    if (meter) meter.steps++;
    const byRank = rank(a.key) - rank(b.key);
    if (byRank !== 0) return byRank;
    if (rank(a.key) < 2 && a.key !== b.key) return (a.key as number | string) < (b.key as number | string) ? -1 : 1;
    return a.index - b.index;
  });
  return keyed.map(({ item }) => item);
}

function member(value: unknown, name: string): unknown {
  if (name === 'length' && (Array.isArray(value) || typeof value === 'string')) return value.length;
  if (Array.isArray(value)) return /^[0-9]+$/.test(name) ? (value[Number(name)] ?? null) : null;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return null;
  return (value as Record<string, unknown>)[name];
}

function truthy(value: unknown): boolean {
  return !(value === null || value === undefined || value === false || value === 0 || value === '');
}

function same(left: unknown, right: unknown): boolean {
  return (left ?? null) === (right ?? null);
}

function compare(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  const comparable =
    (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const a = left as number | string;
  const b = right as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** A value in a string: objects and lists are not text, so they add nothing. */
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
