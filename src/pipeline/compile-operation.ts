/**
 * One operation compiled by graphql-jit, with a serializer made for its
 * answer's shape where that is sound.
 *
 * graphql-jit can hand the operation's answer shape to fast-json-stringify,
 * which writes an answer about twice as fast as JSON.stringify. It is
 * exact only for an answer without errors (a null in a non-null place is an
 * error, and it would write "" for it) and without union or interface
 * fields (fast-json-stringify picks a member's shape by validating the value
 * against each in turn, the first that fits wins); and graphql-jit refuses
 * to shape a custom scalar. Those operations, and answers with errors or
 * extensions, keep JSON.stringify (`serialize`).
 */
import {
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

export interface CompiledOperation {
  query: CompiledQuery;
  /** Writes an answer without errors or extensions; undefined when the operation's shape cannot be written exactly. */
  writeAnswer?: (result: object) => string;
}

export function compileOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): CompiledOperation | undefined {
  if (!selectsAbstractType(schema, document)) {
    const shaped = compileQuery(schema, document, operationName, {
      disableLeafSerialization: false,
      customJSONSerializer: true,
    });
    if (isCompiledQuery(shaped)) return { query: shaped, writeAnswer: shaped.stringify };
  }
  const plain = compileQuery(schema, document, operationName, { disableLeafSerialization: false });
  return isCompiledQuery(plain) ? { query: plain } : undefined;
}

function selectsAbstractType(schema: GraphQLSchema, document: DocumentNode): boolean {
  const types = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(types, {
      Field() {
        const type = types.getType();
        if (type && isAbstractType(getNamedType(type))) found = true;
      },
    }),
  );
  return found;
}
