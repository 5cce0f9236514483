import { GraphQLError, type GraphQLSchema, isScalarType } from 'graphql';
import { GraftError } from '../errors.ts';
import { UploadedFile } from './uploaded-file.ts';

/**
 * Gives a graph's `scalar Upload` its meaning: a variable whose value is a
 * file of the GraphQL multipart request (read-multipart.ts). Anything else
 * is BAD_USER_INPUT; a file cannot be written in the document or returned.
 */
export function withUploadScalar(schema: GraphQLSchema): GraphQLSchema {
  const upload = schema.getType('Upload');
  if (!upload || !isScalarType(upload)) return schema;
  upload.parseValue = (value) => {
    if (value instanceof UploadedFile) return value;
    throw new GraftError(
      'BAD_USER_INPUT',
      'An Upload is a file sent with the GraphQL multipart request (a multipart/form-data POST with operations and map).',
    );
  };
  upload.parseLiteral = () => {
    throw new GraphQLError(
      'An Upload cannot be written in the document: pass it as a variable, with the GraphQL multipart request.',
    );
  };
  upload.serialize = () => {
    throw new GraphQLError('Upload is an input type: a field cannot return one.');
  };
  return schema;
}
