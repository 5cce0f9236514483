/** The parts of an OpenAPI 3.x document the importer reads (a Swagger 2.0 one is converted first: swagger2.ts). */
export type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
};
export type Parameter = { name: string; in: string; required?: boolean; schema?: Schema; description?: string };
export type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    {
      content?: Record<string, { schema?: Schema }>;
      headers?: Record<string, unknown>;
      links?: Record<string, unknown>;
    }
  >;
};
export type OpenApiDocument = {
  openapi?: string;
  swagger?: string;
  info?: { title?: string };
  servers?: Array<{ url: string }>;
  paths?: Record<string, Record<string, Operation | Parameter[]>>;
  webhooks?: Record<string, unknown>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, Record<string, unknown>> };
  security?: Array<Record<string, unknown>>;
};
