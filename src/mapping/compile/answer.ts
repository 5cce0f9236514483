/** `@rest(answer:)`: how the field's answer is read, checked against what the field holds. */
import { type GraphQLField, getNamedType, getNullableType, isListType, isScalarType } from 'graphql';
import type { AnswerFormat } from '../../sources/answer-formats.ts';
import { type Arg, text } from '../directive-args.ts';
import type { CompileContext } from './compile-context.ts';

export function answerFormat(
  value: Arg | undefined,
  coordinate: string,
  definition: GraphQLField<unknown, unknown>,
  { diagnostics }: CompileContext,
): AnswerFormat {
  const format = (text(value) ?? 'JSON') as AnswerFormat;
  const list = isListType(getNullableType(definition.type));
  const type = String(definition.type);
  if (format === 'TEXT' && (list || !isScalarType(getNamedType(definition.type))))
    diagnostics.report(value?.node, `${coordinate} @rest(answer: TEXT) reads one string; the field is ${type}.`);
  if ((format === 'CSV' || format === 'NDJSON') && !list)
    diagnostics.report(value?.node, `${coordinate} @rest(answer: ${format}) reads a list; the field is ${type}.`);
  return format;
}
