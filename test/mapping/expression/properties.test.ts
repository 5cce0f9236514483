/**
 * Property tests of `@compute`: any text either parses or is refused with
 * an ExpressionError (never another exception, never a stack overflow);
 * any expression the checker accepts evaluates on any JSON record without
 * throwing, in a number of steps linear in the record's size (times the
 * expression's, plus sortBy's log factor).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExpression, kindsFor } from '../../../src/mapping/expression/check-expression.ts';
import { evaluateExpression, type Meter } from '../../../src/mapping/expression/evaluate-expression.ts';
import { ExpressionError, parseExpression } from '../../../src/mapping/expression/parse-expression.ts';

const NAMES = ['a', 'b', 'items', 'name', 'n', '0', 'length'];

/** Expression text from the grammar, lambdas included (their bodies read their parameter). */
const expressionText = fc.letrec<{ value: string; lambda: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      'a',
      'b',
      'items',
      'name',
      'n',
      'a.b',
      'items.0',
      'items.length',
      "'x'",
      '`${a}-${items.0}`',
      '1',
      '2.5',
      'true',
      'null',
    ),
    fc
      .tuple(
        tie('value'),
        fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||', '??'),
        tie('value'),
      )
      .map(([left, operator, right]) => `(${left} ${operator} ${right})`),
    fc
      .tuple(tie('value'), tie('value'), tie('value'))
      .map(([test, then, otherwise]) => `(${test} ? ${then} : ${otherwise})`),
    fc.tuple(fc.constantFrom('!', '-'), tie('value')).map(([operator, operand]) => `${operator}(${operand})`),
    fc
      .tuple(tie('value'), fc.constantFrom('map', 'filter', 'sortBy'), tie('lambda'))
      .map(([target, method, lambda]) => `(${target}).${method}(${lambda})`),
    fc
      .tuple(
        tie('value'),
        fc.constantFrom(
          'first()',
          'last()',
          'length()',
          "join(', ')",
          'join()',
          'upper()',
          'round()',
          'number()',
          'string()',
          'trim()',
          'b',
          '0',
        ),
      )
      .map(([target, member]) => `(${target}).${member}`),
  ),
  lambda: fc.tuple(tie('value')).map(([body]) => `x => ${body.replace(/\b(a|b|items|name|n)\b(?!')/g, 'x.$1')}`),
}));

/** JSON records with lists of records, strings, numbers, booleans and nulls. */
const jsonRecord = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, 1, -3, 2.5, 1e308, '', 'x', '10', 'name'),
    fc.array(tie('node'), { maxLength: 6 }),
    fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 5 }),
  ),
})).node;

function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce<number>((sum, item) => sum + sizeOf(item), 0);
  if (typeof value === 'object' && value !== null)
    return 1 + Object.values(value).reduce<number>((sum, item) => sum + sizeOf(item), 0);
  return 1;
}

const ANY = kindsFor('JSON', false, false);

describe('@compute expressions, on random input', () => {
  it('any text parses or is refused with an ExpressionError', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80, unit: fc.constantFrom(...'ab.()=>`${}\'"?:!-+*/%0 1,&|<'.split('')) }),
        (text) => {
          try {
            parseExpression(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('deep nesting is refused, not a stack overflow', () => {
    expect(() => parseExpression(`${'('.repeat(500)}1${')'.repeat(500)}`)).toThrow(ExpressionError);
    expect(() => parseExpression(`${'-'.repeat(1900)}1`)).toThrow(ExpressionError);
    expect(() => parseExpression(`a${'.b'.repeat(999)}`)).not.toThrow();
  });

  it('an accepted expression never throws, and its steps grow linearly with the record', () => {
    let accepted = 0;
    fc.assert(
      fc.property(expressionText.value, jsonRecord, (text, record) => {
        const expression = parseExpression(text);
        if (checkExpression(expression, ANY, 'JSON').length > 0) return;
        accepted++;
        const meter: Meter = { steps: 0 };
        const value = evaluateExpression(expression, record, meter);
        expect(value).not.toBeUndefined();
        const size = sizeOf(record);
        expect(meter.steps).toBeLessThanOrEqual(text.length * (size + 1) * (Math.log2(size + 2) + 1));
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });

  it('a lambda reading anything but its parameter is refused (what keeps evaluation linear)', () => {
    const problems = checkExpression(parseExpression('items.map(x => items.join())'), ANY, 'JSON');
    expect(problems).toEqual([{ message: 'A lambda reads only its parameter (x), not "items".', offset: 15 }]);
  });

  it('steps are linear on a long list (no hidden quadratic work)', () => {
    const expression = parseExpression(
      "items.sortBy(i => i.n).filter(i => i.n % 2 == 0).map(i => `${i.name}:${i.n}`).join(',')",
    );
    const steps = (count: number) => {
      const meter: Meter = { steps: 0 };
      const items = Array.from({ length: count }, (_, n) => ({ n: (n * 7919) % count, name: `item${n}` }));
      evaluateExpression(expression, { items }, meter);
      return meter.steps;
    };
    const small = steps(1000);
    const large = steps(16000);
    // 16 times the items: at most 16 × (1 + the sort's log factor), far below the 256 of quadratic work.
    expect(large / small).toBeLessThan(16 * 1.6);
  });
});
