/** `@compute` expressions: what each operator and method makes, and what a value of the wrong kind makes (null, never a throw). */
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../../../src/mapping/expression/evaluate-expression.ts';
import { parseExpression } from '../../../src/mapping/expression/parse-expression.ts';

const record = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  middle: null,
  price: 12.5,
  quantity: 4,
  active: true,
  address: { city: 'London', zip: 'N1' },
  items: [
    { sku: 'b', price: 3, tags: ['x', 'y'] },
    { sku: 'a', price: 1, tags: [] },
    { sku: 'c', price: 2, tags: ['z'] },
  ],
};

const run = (text: string, on: unknown = record) => evaluateExpression(parseExpression(text), on);

describe('@compute expressions', () => {
  it.each([
    ["first_name + ' ' + last_name", 'Ada Lovelace'],
    ['`${first_name} ${last_name} of ${address.city}`', 'Ada Lovelace of London'],
    ['price * quantity', 50],
    ['price * quantity - 10 / 4 % 3', 47.5],
    ['(price + 1) * 2', 27],
    ['-price', -12.5],
    ["middle ?? 'none'", 'none'],
    ["first_name ?? 'none'", 'Ada'],
    ["quantity > 3 ? 'many' : 'few'", 'many'],
    ["quantity >= 5 ? 'many' : 'few'", 'few'],
    ['active && quantity == 4', true],
    ['!active || price != 12.5', false],
    ["first_name < 'B'", true],
    ['items.0.sku', 'b'],
    ['items.length', 3],
    ['items.length()', 3],
    ['items.map(item => item.sku)', ['b', 'a', 'c']],
    ["items.map(item => item.sku).join('-')", 'b-a-c'],
    ['items.map(item => item.sku).join()', 'b, a, c'],
    ['items.filter(item => item.price > 1).length()', 2],
    ['items.map(item => item.price * 2).sum()', 12],
    ['items.map(item => item.sku).sum()', 0],
    ['items.sortBy(item => item.price).map(i => i.sku)', ['a', 'c', 'b']],
    ['items.sortBy(item => item.sku).first().price', 1],
    ['items.last().sku', 'c'],
    ["items.map(item => item.tags.length()).join('')", '201'],
    ['last_name.upper()', 'LOVELACE'],
    ["'  x '.trim().length()", 1],
    ['price.round()', 13],
    ["'42'.number() + 1", 43],
    ['quantity.string() + 1', '41'],
    ['"double" + \'single\'', 'doublesingle'],
    ["'it\\'s'", "it's"],
  ])('%s', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  it.each([
    ['missing.deeper.still', null],
    ['first_name * 2', null],
    ['price / 0', null],
    ['address.map(x => x)', null],
    ['first_name.round()', null],
    ['items.99', null],
    ['address.0', null],
    ['-first_name', null],
    ['items + 1', null],
    ['`${items}|${address}`', '|'],
    ["items.sortBy(i => i.tags).map(i => i.sku).join('')", 'bac'],
    ['first_name < 3', false],
  ])('%s makes %j instead of failing', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  it('reads nothing but the record: not its prototype', () => {
    expect(run('constructor')).toBeNull();
    expect(run('first_name.constructor')).toBeNull();
    expect(run('items.map(i => i.__proto__)')).toEqual([null, null, null]);
  });

  it('runs on any value in place of the record', () => {
    for (const on of [null, undefined, 7, 'text', [], [1, 2]])
      expect(() => run('a.b + items.map(i => i.x).join()', on)).not.toThrow();
  });
});
