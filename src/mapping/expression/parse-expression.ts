/**
 * The syntax of `@compute` expressions: a small, total language over one
 * upstream record (docs/mapping.md, "@compute"). A hand-written Pratt parser:
 * the grammar is a dozen operators, and every error must carry the offset
 * into the SDL string it came from, which a parser generator's messages
 * would not. Bounded: at most MAX_LENGTH characters and MAX_DEPTH levels,
 * so parsing (recursive) cannot exhaust the stack.
 */

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '??';

export type Expression =
  | { kind: 'literal'; value: string | number | boolean | null; at: number }
  /** A name: the lambda's parameter, else a field of the record. */
  | { kind: 'name'; name: string; at: number }
  /** `.field` or `.0` of a value. */
  | { kind: 'member'; target: Expression; name: string; at: number }
  | { kind: 'template'; parts: ReadonlyArray<string | Expression>; at: number }
  | { kind: 'unary'; operator: '!' | '-'; operand: Expression; at: number }
  | { kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression; at: number }
  | { kind: 'conditional'; test: Expression; then: Expression; otherwise: Expression; at: number }
  | { kind: 'method'; target: Expression; name: string; args: readonly Expression[]; at: number }
  | { kind: 'lambda'; parameter: string; body: Expression; at: number };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Characters into the expression. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export const MAX_LENGTH = 2000;
const MAX_DEPTH = 32;

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'template'; raw: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'punct'; value: string; at: number }
  | { kind: 'end'; at: number };

const PUNCTUATION = ['=>', '??', '||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!'];
const SINGLE = new Set(['.', ',', '(', ')', '?', ':']);

/** Binding power of each binary operator: higher binds tighter. */
const PRECEDENCE: Record<BinaryOperator, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

export function parseExpression(text: string): Expression {
  if (text.length > MAX_LENGTH) throw new ExpressionError(`An expression has at most ${MAX_LENGTH} characters.`, 0);
  const parser = new Parser(tokenize(text, 0));
  const expression = parser.expression(0);
  parser.expectEnd();
  return expression;
}

function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const at = base + index;
    if (/\s/.test(char)) {
      index++;
    } else if (/[0-9]/.test(char)) {
      // After a `.`, digits are a list index (`items.0.name`), never a fraction.
      const afterDot = tokens.at(-1)?.kind === 'punct' && (tokens.at(-1) as { value: string }).value === '.';
      const match = (afterDot ? /^[0-9]+/ : /^[0-9]+(?:\.[0-9]+)?/).exec(text.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(match[0]), at });
      index += match[0].length;
    } else if (/[A-Za-z_$]/.test(char)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0], at });
      index += match[0].length;
    } else if (char === "'" || char === '"') {
      const end = closing(text, index, char);
      tokens.push({ kind: 'string', value: unescaped(text.slice(index + 1, end)), at });
      index = end + 1;
    } else if (char === '`') {
      const end = closing(text, index, '`');
      tokens.push({ kind: 'template', raw: text.slice(index + 1, end), at });
      index = end + 1;
    } else {
      const operator = PUNCTUATION.find((candidate) => text.startsWith(candidate, index));
      if (operator) {
        tokens.push({ kind: 'punct', value: operator, at });
        index += operator.length;
      } else if (SINGLE.has(char)) {
        tokens.push({ kind: 'punct', value: char, at });
        index++;
      } else {
        throw new ExpressionError(`Unexpected "${char}".`, at);
      }
    }
  }
  tokens.push({ kind: 'end', at: base + text.length });
  return tokens;
}

function closing(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === quote) return index;
  }
  throw new ExpressionError(`A string opened with ${quote} is not closed.`, start);
}

function unescaped(text: string): string {
  return text.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char));
}

class Parser {
  #index = 0;
  #depth = 0;

  constructor(private readonly tokens: Token[]) {}

  expression(minimum: number): Expression {
    this.#enter();
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      if (token.kind !== 'punct') break;
      if (token.value === '?' && minimum === 0) {
        this.#index++;
        const then = this.expression(0);
        this.#expect(':');
        const otherwise = this.expression(0);
        left = { kind: 'conditional', test: left, then, otherwise, at: startOf(left) };
        continue;
      }
      const precedence = PRECEDENCE[token.value as BinaryOperator];
      if (precedence === undefined || precedence <= minimum) break;
      this.#index++;
      const right = this.expression(precedence);
      left = { kind: 'binary', operator: token.value as BinaryOperator, left, right, at: startOf(left) };
    }
    this.#depth--;
    return left;
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token.kind !== 'end') throw new ExpressionError(`Unexpected ${describe(token)}.`, token.at);
  }

  #unary(): Expression {
    const token = this.#peek();
    if (token.kind === 'punct' && (token.value === '!' || token.value === '-')) {
      this.#index++;
      this.#enter();
      const operand = this.#unary();
      this.#depth--;
      return { kind: 'unary', operator: token.value, operand, at: token.at };
    }
    return this.#postfix(this.#primary());
  }

  #primary(): Expression {
    const token = this.#next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, at: token.at };
      case 'template':
        return { kind: 'template', parts: templateParts(token.raw, token.at + 1), at: token.at };
      case 'name':
        if (token.value === 'true' || token.value === 'false')
          return { kind: 'literal', value: token.value === 'true', at: token.at };
        if (token.value === 'null') return { kind: 'literal', value: null, at: token.at };
        return { kind: 'name', name: token.value, at: token.at };
      case 'punct':
        if (token.value === '(') {
          const inner = this.expression(0);
          this.#expect(')');
          return inner;
        }
    }
    throw new ExpressionError(`Expected a value, found ${describe(token)}.`, token.at);
  }

  #postfix(target: Expression): Expression {
    let value = target;
    while (this.#peek().kind === 'punct' && (this.#peek() as { value: string }).value === '.') {
      this.#index++;
      const token = this.#next();
      if (token.kind === 'number' && Number.isInteger(token.value)) {
        value = { kind: 'member', target: value, name: String(token.value), at: token.at };
        continue;
      }
      if (token.kind !== 'name')
        throw new ExpressionError(`Expected a field name after ".", found ${describe(token)}.`, token.at);
      const open = this.#peek();
      if (open.kind === 'punct' && open.value === '(') {
        this.#index++;
        value = { kind: 'method', target: value, name: token.value, args: this.#arguments(), at: token.at };
      } else {
        value = { kind: 'member', target: value, name: token.value, at: token.at };
      }
    }
    return value;
  }

  #arguments(): Expression[] {
    const args: Expression[] = [];
    const close = this.#peek();
    if (close.kind === 'punct' && close.value === ')') {
      this.#index++;
      return args;
    }
    for (;;) {
      args.push(this.#argument());
      const token = this.#next();
      if (token.kind === 'punct' && token.value === ')') return args;
      if (!(token.kind === 'punct' && token.value === ','))
        throw new ExpressionError(`Expected "," or ")", found ${describe(token)}.`, token.at);
    }
  }

  /** A method argument: a value, or a lambda `item => item.price`. */
  #argument(): Expression {
    const name = this.#peek();
    const arrow = this.tokens[this.#index + 1];
    if (name.kind === 'name' && arrow?.kind === 'punct' && arrow.value === '=>') {
      this.#index += 2;
      return { kind: 'lambda', parameter: name.value, body: this.expression(0), at: name.at };
    }
    return this.expression(0);
  }

  #expect(value: string): void {
    const token = this.#next();
    if (!(token.kind === 'punct' && token.value === value))
      throw new ExpressionError(`Expected "${value}", found ${describe(token)}.`, token.at);
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH)
      throw new ExpressionError(`An expression nests at most ${MAX_DEPTH} levels.`, this.#peek().at);
  }

  #peek(): Token {
    return this.tokens[this.#index] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }
}

/** A backtick template's text and `${…}` parts; `base` is where its text starts in the expression. */
function templateParts(raw: string, base: number): Array<string | Expression> {
  const parts: Array<string | Expression> = [];
  let index = 0;
  let literal = '';
  while (index < raw.length) {
    if (raw[index] === '\\' && index + 1 < raw.length) {
      literal += unescaped(raw.slice(index, index + 2));
      index += 2;
    } else if (raw.startsWith('${', index)) {
      const end = raw.indexOf('}', index);
      if (end < 0) throw new ExpressionError('A "${" has no closing "}".', base + index);
      if (literal) parts.push(literal);
      literal = '';
      const parser = new Parser(tokenize(raw.slice(index + 2, end), base + index + 2));
      parts.push(parser.expression(0));
      parser.expectEnd();
      index = end + 1;
    } else {
      literal += raw[index];
      index++;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** Where an expression begins: a member or method chain begins with its target. */
export function startOf(expression: Expression): number {
  return expression.kind === 'member' || expression.kind === 'method' ? startOf(expression.target) : expression.at;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end';
    case 'number':
      return `${token.value}`;
    case 'string':
      return 'a string';
    case 'template':
      return 'a template';
    default:
      return `"${token.value}"`;
  }
}
