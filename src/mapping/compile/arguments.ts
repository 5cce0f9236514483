/**
 * The decoding of a field's arguments (plan.ts, ValueDecoding), read once
 * from the SDL: `@globalId(type:)` on an argument or an input field below
 * it, `@from(value:)` on the values of an enum argument. (Input object
 * fields of a JSON body are converted with the body, records.ts.)
 */
import {
  type GraphQLField,
  type GraphQLInputType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
} from 'graphql';
import { arg, directive, text } from '../directive-args.ts';
import type { ArgumentDecoding, ValueDecoding } from '../plan.ts';

/** Input objects nested deeper than this are sent as they are. */
const MAX_INPUT_DEPTH = 8;

type Directives =
  | ReadonlyArray<{ name: { value: string }; arguments?: ReadonlyArray<{ name: { value: string }; value: unknown }> }>
  | undefined;

export function argumentDecoding(definition: GraphQLField<unknown, unknown>): ArgumentDecoding {
  return definition.args.flatMap((argument) => {
    const decoding =
      idDecoding(argument.type, globalIdType(argument.astNode?.directives)) ?? enumDecoding(argument.type);
    return decoding ? [[argument.name, decoding] as const] : [];
  });
}

function idDecoding(type: GraphQLInputType, globalId: string | undefined, depth = 0): ValueDecoding | undefined {
  if (depth > MAX_INPUT_DEPTH) return undefined;
  if (globalId !== undefined) return { kind: 'globalId', type: globalId };
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) {
    const item = idDecoding(nullable.ofType, undefined, depth + 1);
    return item && { kind: 'list', item };
  }
  if (!isInputObjectType(nullable)) return undefined;
  const fields = Object.values(nullable.getFields()).flatMap((field) => {
    const decoding = idDecoding(field.type, globalIdType(field.astNode?.directives), depth + 1);
    return decoding ? [[field.name, decoding] as const] : [];
  });
  return fields.length === 0 ? undefined : { kind: 'object', fields };
}

/**
 * An enum argument whose values say how the upstream spells them
 * (`METRIC @from(value: "metric")`) goes upstream that way, as query
 * parameters and path segments take arguments as they are.
 */
function enumDecoding(type: GraphQLInputType): ValueDecoding | undefined {
  const nullable = getNullableType(type) as GraphQLInputType;
  const item = isListType(nullable) ? (getNullableType(nullable.ofType) as GraphQLInputType) : nullable;
  if (!isEnumType(item)) return undefined;
  const spelled = new Map(
    item.getValues().flatMap((value) => {
      const upstream = text(arg(directive(value.astNode?.directives, 'from'), 'value'));
      return upstream === undefined ? [] : [[value.value as string, upstream] as const];
    }),
  );
  return spelled.size === 0 ? undefined : { kind: 'enum', spelled };
}

function globalIdType(directives: Directives): string | undefined {
  const found = directives?.find((node) => node.name.value === 'globalId');
  const value = found?.arguments?.find((argument) => argument.name.value === 'type')?.value as
    | { kind?: string; value?: string }
    | undefined;
  return value?.kind === 'StringValue' ? value.value : undefined;
}
