/**
 * A Swagger 2.0 document in the OpenAPI 3 shape the importer reads: the
 * parts it uses (definitions, body and form parameters, response schemas,
 * security definitions) moved to where 3.x keeps them.
 */
import type { OpenApiDocument } from './document.ts';

type Json = Record<string, unknown>;

export function fromSwagger2(api: OpenApiDocument): OpenApiDocument {
  const swagger = JSON.parse(JSON.stringify(api).replaceAll('"#/definitions/', '"#/components/schemas/')) as Json;
  const produces = (swagger.produces as string[] | undefined) ?? ['application/json'];
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries((swagger.paths as Record<string, Json> | undefined) ?? {})) {
    const converted: Json = {};
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters') {
        converted.parameters = (value as Json[])
          .filter((parameter) => parameter.in !== 'body' && parameter.in !== 'formData')
          .map(parameterOf);
        continue;
      }
      const operation = value as Json;
      const parameters = (operation.parameters as Json[] | undefined) ?? [];
      const body = parameters.find((parameter) => parameter.in === 'body');
      const form = parameters.filter((parameter) => parameter.in === 'formData');
      const consumes = (operation.consumes as string[] | undefined) ?? (swagger.consumes as string[] | undefined) ?? [];
      const formType =
        form.some((parameter) => parameter.type === 'file') || consumes.includes('multipart/form-data')
          ? 'multipart/form-data'
          : 'application/x-www-form-urlencoded';
      const requestBody = body
        ? { content: { 'application/json': { schema: body.schema } } }
        : form.length > 0
          ? {
              content: {
                [formType]: {
                  schema: {
                    type: 'object',
                    required: form.filter((parameter) => parameter.required).map((parameter) => parameter.name),
                    properties: Object.fromEntries(
                      form.map((parameter) => [
                        parameter.name,
                        parameter.type === 'file' ? { type: 'string', format: 'binary' } : schemaOf(parameter),
                      ]),
                    ),
                  },
                },
              },
            }
          : undefined;
      const responses = Object.fromEntries(
        Object.entries((operation.responses as Record<string, Json> | undefined) ?? {}).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.headers !== undefined && { headers: response.headers }),
            ...(response.schema !== undefined && {
              content: Object.fromEntries(
                ((operation.produces as string[] | undefined) ?? produces).map((type) => [
                  type,
                  { schema: response.schema },
                ]),
              ),
            }),
          },
        ]),
      );
      converted[method] = {
        ...operation,
        parameters: parameters
          .filter((parameter) => parameter.in !== 'body' && parameter.in !== 'formData')
          .map(parameterOf),
        ...(requestBody && { requestBody }),
        responses,
      };
    }
    paths[path] = converted;
  }
  const securitySchemes = Object.fromEntries(
    Object.entries((swagger.securityDefinitions as Record<string, Json> | undefined) ?? {}).map(([name, scheme]) => [
      name,
      scheme.type === 'basic'
        ? { type: 'http', scheme: 'basic' }
        : scheme.type === 'oauth2' && scheme.flow === 'application'
          ? { type: 'oauth2', flows: { clientCredentials: { tokenUrl: scheme.tokenUrl, scopes: scheme.scopes ?? {} } } }
          : scheme,
    ]),
  );
  const host = swagger.host as string | undefined;
  return {
    openapi: '3.0.3',
    info: swagger.info as OpenApiDocument['info'],
    ...(host && {
      servers: [
        {
          url: `${((swagger.schemes as string[] | undefined) ?? ['https'])[0]}://${host}${(swagger.basePath as string | undefined) ?? ''}`,
        },
      ],
    }),
    paths: paths as OpenApiDocument['paths'],
    components: {
      schemas:
        (swagger.definitions as OpenApiDocument['components'] & object)?.schemas ?? (swagger.definitions as never),
      securitySchemes: securitySchemes as never,
    },
    security: swagger.security as OpenApiDocument['security'],
  };
}

/** A 2.0 parameter's type fields, as a 3.x schema. */
function schemaOf(parameter: Json): Json {
  const { type, format, items, enum: values, default: fallback, minimum, maximum } = parameter;
  return Object.fromEntries(
    Object.entries({ type, format, items, enum: values, default: fallback, minimum, maximum }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

function parameterOf(parameter: Json): Json {
  return {
    name: parameter.name,
    in: parameter.in,
    required: parameter.required,
    description: parameter.description,
    schema: schemaOf(parameter),
  };
}
