/**
 * Bounds on the values a document gives arguments (and input object
 * fields), checked before execution so that no oversized, control-character
 * or out-of-range value reaches an upstream: Strings and IDs at most
 * `limits.maxStringLength` / `limits.maxIdLength` characters unless the
 * schema says `@length(min:, max:)`, IDs well-formed Unicode without control
 * characters, numbers within their `@range(min:, max:)`. Literals and
 * variables alike, through lists and input objects.
 */
import {
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { GraftError } from '../errors.ts';

export interface StringBounds {
  maxStringLength: number;
  maxIdLength: number;
}

/** One argument given in the document: where, its definition, and the value as written. */
interface ArgumentUse {
  coordinate: string;
  definition: GraphQLArgument;
  value: ValueNode;
}

/** The bounds declared on an argument or input field. */
interface Declared {
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
}

export type ArgumentCheck = (variables: Readonly<Record<string, unknown>> | null | undefined) => void;

/** Values nested deeper than this (lists in lists, inputs in inputs) are refused rather than walked. */
const MAX_VALUE_DEPTH = 32;
// biome-ignore lint/suspicious/noControlCharactersInRegex: it finds control characters, to refuse them.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The arguments of a document, found once; the returned check runs per request, with its variables. */
export function argumentCheck(schema: GraphQLSchema, document: DocumentNode, bounds: StringBounds): ArgumentCheck {
  const uses: ArgumentUse[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const definition = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (
          definition &&
          (mayHoldStrings(definition.type) ||
            declaredOf(definition).min !== undefined ||
            declaredOf(definition).max !== undefined)
        ) {
          uses.push({
            coordinate: `${parent && field ? `${parent.name}.${field.name}` : 'a directive'}(${definition.name}:)`,
            definition,
            value: node.value,
          });
        }
      },
    }),
  );
  if (uses.length === 0) return () => {};

  return (variables) => {
    for (const use of uses)
      checkLiteral(use.value, use.definition.type, declaredOf(use.definition), use.coordinate, variables ?? {}, 0);
  };

  function checkLiteral(
    value: ValueNode,
    type: GraphQLInputType,
    limit: Declared,
    where: string,
    variables: Readonly<Record<string, unknown>>,
    depth: number,
  ): void {
    if (depth > MAX_VALUE_DEPTH) throw tooDeep(where);
    const nullable = getNullableType(type);
    if (value.kind === Kind.VARIABLE) {
      checkValue(variables[value.name.value], type, limit, where, depth);
      return;
    }
    if (isListType(nullable)) {
      const items = value.kind === Kind.LIST ? value.values : [value];
      for (const item of items) checkLiteral(item, nullable.ofType, limit, where, variables, depth + 1);
      return;
    }
    if (isInputObjectType(nullable)) {
      if (value.kind !== Kind.OBJECT) return;
      const fields = nullable.getFields();
      for (const field of value.fields) {
        const definition = fields[field.name.value];
        if (definition)
          checkLiteral(
            field.value,
            definition.type,
            declaredOf(definition),
            `${where}.${definition.name}`,
            variables,
            depth + 1,
          );
      }
      return;
    }
    if (value.kind === Kind.STRING) checkString(value.value, nullable.name, limit, where, bounds);
    else if (value.kind === Kind.INT || value.kind === Kind.FLOAT) checkNumber(Number(value.value), limit, where);
  }

  function checkValue(value: unknown, type: GraphQLInputType, limit: Declared, where: string, depth: number): void {
    if (depth > MAX_VALUE_DEPTH) throw tooDeep(where);
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      for (const item of Array.isArray(value) ? value : [value])
        checkValue(item, nullable.ofType, limit, where, depth + 1);
      return;
    }
    if (isInputObjectType(nullable)) {
      if (value === null || typeof value !== 'object') return;
      for (const definition of Object.values(nullable.getFields())) {
        // Own properties only: a `__proto__` key must not walk into Object.prototype.
        if (Object.hasOwn(value, definition.name)) {
          checkValue(
            (value as Record<string, unknown>)[definition.name],
            definition.type,
            declaredOf(definition),
            `${where}.${definition.name}`,
            depth + 1,
          );
        }
      }
      return;
    }
    if (typeof value === 'string') checkString(value, nullable.name, limit, where, bounds);
    else if (typeof value === 'number') checkNumber(value, limit, where);
  }
}

function mayHoldStrings(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return named.name === 'String' || named.name === 'ID' || isInputObjectType(named);
}

const declaredBounds = new WeakMap<GraphQLArgument | GraphQLInputField, Declared>();

/** `@length(min:, max:)` and `@range(min:, max:)` on the argument or input field, read once. */
function declaredOf(definition: GraphQLArgument | GraphQLInputField): Declared {
  let bounds = declaredBounds.get(definition);
  if (bounds) return bounds;
  const directives = definition.astNode?.directives;
  const number = (directive: string, name: string) => {
    const value = directives
      ?.find((node: ConstDirectiveNode) => node.name.value === directive)
      ?.arguments?.find((argument) => argument.name.value === name)?.value;
    return value?.kind === Kind.INT || value?.kind === Kind.FLOAT ? Number(value.value) : undefined;
  };
  bounds = {
    minLength: number('length', 'min'),
    maxLength: number('length', 'max'),
    min: number('range', 'min'),
    max: number('range', 'max'),
  };
  declaredBounds.set(definition, bounds);
  return bounds;
}

function tooDeep(where: string): GraftError {
  return new GraftError('BAD_USER_INPUT', `The value of ${where} is nested deeper than ${MAX_VALUE_DEPTH} levels.`);
}

/** A number within its declared min and max, else BAD_USER_INPUT. */
function checkNumber(value: number, { min, max }: Declared, where: string): void {
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new GraftError(
      'BAD_USER_INPUT',
      `The value of ${where} must be ${min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`}, got ${value}.`,
    );
  }
}

/** A string within its length bounds (declared, else the gateway's for String and ID), and an ID without control characters. */
function checkString(text: string, typeName: string, declared: Declared, where: string, bounds: StringBounds): void {
  if (typeName !== 'ID' && typeName !== 'String') return;
  const limit = declared.maxLength ?? (typeName === 'ID' ? bounds.maxIdLength : bounds.maxStringLength);
  if (text.length > limit)
    throw new GraftError('BAD_USER_INPUT', `The value of ${where} is longer than ${limit} characters.`, {
      facts: { limit },
    });
  if (declared.minLength !== undefined && text.length < declared.minLength)
    throw new GraftError('BAD_USER_INPUT', `The value of ${where} is shorter than ${declared.minLength} characters.`);
  if (typeName === 'ID' && (CONTROL.test(text) || !text.isWellFormed())) {
    throw new GraftError(
      'BAD_USER_INPUT',
      `The value of ${where} contains a control character or is not well-formed Unicode.`,
    );
  }
}
