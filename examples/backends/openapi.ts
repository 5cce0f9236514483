/**
 * The example services' own OpenAPI 3.1 documents, served at
 * `GET /openapi.json`: what an importer reads, and what a test holds to the
 * services' real answers (test/examples/openapi.test.ts).
 */

const error = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (ref: string, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const pathId = (description: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'integer', minimum: 1 },
});
/**
 * A reference to an operation of another example service's document, as an
 * OpenAPI link's operationRef: `graftql import openapi` follows it when it
 * imports the documents together (relations across services).
 */
const operationOf = (service: string, path: string, method = 'get') =>
  `./${service}.json#/paths/${encodeURIComponent(path.replace(/~/g, '~0').replace(/\//g, '~1'))}/${method}`;
const cacheHeaders = {
  ETag: { description: 'Validator for If-None-Match.', schema: { type: 'string' } },
  'Cache-Control': {
    description: 'How long the answer keeps (`max-age`; `private` for /me).',
    schema: { type: 'string' },
  },
};

export function accountsDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'accounts',
      version: '1.0.0',
      description: 'Users. Offset pagination with a total; a batch lookup by ids; ETags and max-age on every read.',
    },
    security: [{ apiKey: [] }],
    paths: {
      '/users': {
        get: {
          operationId: 'listUsers',
          summary: 'Users, oldest first; or, with ids, the users with those ids',
          parameters: [
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            {
              name: 'ids',
              in: 'query',
              description: 'Comma-separated user ids (at most 100): answers them as `users`, without paging.',
              style: 'form',
              explode: false,
              schema: { type: 'array', items: { type: 'integer' }, maxItems: 100 },
            },
          ],
          responses: {
            '200': {
              description: 'A page, or the users asked for',
              headers: cacheHeaders,
              content: {
                'application/json': {
                  schema: {
                    oneOf: [{ $ref: '#/components/schemas/UserPage' }, { $ref: '#/components/schemas/UserList' }],
                  },
                },
              },
            },
            '304': { description: 'Not modified (If-None-Match)' },
            '400': errorResponse('offset, limit or ids out of range'),
          },
        },
      },
      '/users/batch': {
        post: {
          operationId: 'usersByIds',
          summary: 'The users with these ids',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['ids'],
                  properties: { ids: { type: 'array', items: { type: ['integer', 'string'] }, maxItems: 100 } },
                },
              },
            },
          },
          responses: {
            '200': json('UserList'),
            '400': errorResponse('more than 100 ids'),
            '422': errorResponse('no ids'),
          },
        },
      },
      '/users/{id}': {
        get: {
          operationId: 'getUser',
          parameters: [pathId('The user id')],
          responses: {
            '200': {
              ...json('User'),
              headers: cacheHeaders,
              links: {
                weather: {
                  operationRef: operationOf('weather', '/data/2.5/weather'),
                  description: "Current weather in the user's city (weather service)",
                  parameters: { q: '$response.body#/city', units: 'metric' },
                },
                articles: {
                  operationRef: operationOf('content', '/users/{id}/articles'),
                  description: "The user's articles, oldest first (content service)",
                  parameters: { id: '$response.body#/id' },
                },
              },
            },
            '304': { description: 'Not modified' },
            '404': errorResponse('No such user'),
          },
        },
      },
      '/me': {
        get: {
          operationId: 'getMe',
          summary: 'The end user named by the bearer token',
          security: [{ apiKey: [], endUser: [] }],
          responses: {
            '200': { ...json('User'), headers: cacheHeaders },
            '401': errorResponse('No end-user token, or an unknown one'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        endUser: { type: 'http', scheme: 'bearer', description: "The end user's token, forwarded by the gateway." },
      },
      schemas: {
        User: {
          type: 'object',
          required: ['id', 'name', 'email', 'city', 'created_at'],
          properties: {
            id: { type: 'integer' },
            name: { type: 'string' },
            email: { type: 'string', format: 'email' },
            city: { type: 'string', description: 'A city the weather service knows.' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        UserPage: {
          type: 'object',
          required: ['total', 'offset', 'limit', 'users'],
          properties: {
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            users: { type: 'array', items: { $ref: '#/components/schemas/User' } },
          },
        },
        UserList: {
          type: 'object',
          required: ['users'],
          properties: { users: { type: 'array', items: { $ref: '#/components/schemas/User' } } },
          additionalProperties: false,
        },
        Error: error,
      },
    },
  };
}

export function contentDocument(): object {
  const article = { $ref: '#/components/schemas/Article' };
  const cursorParameters = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    { name: 'cursor', in: 'query', description: "A page's next_cursor or prev_cursor.", schema: { type: 'string' } },
  ];
  const event = (type: string, data: object, summary: string) => ({
    post: {
      summary,
      description:
        'Sent to the gateway as a Standard Webhooks delivery (webhook-id, webhook-timestamp, webhook-signature).',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type', 'timestamp', 'data'],
              properties: { type: { const: type }, timestamp: { type: 'string', format: 'date-time' }, data },
            },
          },
        },
      },
      responses: { '204': { description: 'Received' } },
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'content',
      version: '1.0.0',
      description:
        'Articles. OAuth2 client credentials; cursor pagination; JSON writes; attachments; a signed webhook per write.',
    },
    security: [{ oauth2: [] }],
    paths: {
      '/oauth/token': {
        post: {
          operationId: 'issueToken',
          security: [],
          summary: 'A bearer token for the client credentials grant (credentials in the form or as HTTP Basic)',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['grant_type'],
                  properties: {
                    grant_type: { const: 'client_credentials' },
                    client_id: { type: 'string' },
                    client_secret: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '200': json('Token'),
            '400': errorResponse('Another grant type'),
            '401': errorResponse('Unknown client'),
          },
        },
      },
      '/articles': {
        get: {
          operationId: 'listArticles',
          summary: 'Articles, oldest first; or, with author_id, the first per_author of each author',
          parameters: [
            ...cursorParameters,
            { name: 'category', in: 'query', schema: { type: 'string' } },
            {
              name: 'author_id',
              in: 'query',
              description: 'Repeated: the first articles of each of these authors, as one flat list.',
              style: 'form',
              explode: true,
              schema: { type: 'array', items: { type: 'integer' }, maxItems: 100 },
            },
            { name: 'per_author', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          ],
          responses: {
            '200': {
              description: 'A page, or the first articles of the authors asked for',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [{ $ref: '#/components/schemas/ArticlePage' }, { $ref: '#/components/schemas/ArticleList' }],
                  },
                },
              },
            },
            '400': errorResponse('limit, cursor, author_id or per_author out of range'),
          },
        },
        post: {
          operationId: 'createArticle',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ArticleInput' } } },
          },
          responses: { '201': json('Article', 'Created'), '422': errorResponse('A required field is missing') },
        },
      },
      '/search': {
        get: {
          operationId: 'search',
          summary: 'Categories, then articles, whose name or title holds q; each result says its type',
          parameters: [
            { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          ],
          responses: { '200': json('SearchResults'), '400': errorResponse('No q, or limit out of range') },
        },
      },
      '/articles/{id}': {
        parameters: [pathId('The article id')],
        get: {
          operationId: 'getArticle',
          responses: {
            '200': {
              ...json('Article'),
              links: {
                comments: {
                  operationRef: operationOf('comments', '/articles/{id}/comments'),
                  description: 'Comments on the article, oldest first (comments service)',
                  parameters: { id: '$response.body#/id' },
                },
              },
            },
            '404': errorResponse('No such article'),
          },
        },
        put: {
          operationId: 'replaceArticle',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ArticleInput' } } },
          },
          responses: {
            '200': json('Article'),
            '404': errorResponse('No such article'),
            '422': errorResponse('A required field is missing'),
          },
        },
        patch: {
          operationId: 'updateArticle',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ArticlePatch' } } },
          },
          responses: {
            '200': json('Article'),
            '404': errorResponse('No such article'),
            '422': errorResponse('Nothing to change'),
          },
        },
        delete: {
          operationId: 'deleteArticle',
          responses: { '204': { description: 'Deleted' }, '404': errorResponse('No such article') },
        },
      },
      '/users/{id}/articles': {
        get: {
          operationId: 'listUserArticles',
          parameters: [pathId('The author (a user id in accounts)'), ...cursorParameters],
          responses: { '200': json('ArticlePage'), '400': errorResponse('limit or cursor out of range') },
        },
      },
      '/articles/{id}/attachments': {
        parameters: [pathId('The article id')],
        get: { operationId: 'listAttachments', responses: { '200': json('AttachmentList') } },
        post: {
          operationId: 'addAttachment',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: {
                    file: { type: 'string', contentMediaType: 'application/octet-stream' },
                    note: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '201': json('Attachment', 'Stored'),
            '404': errorResponse('No such article'),
            '422': errorResponse('No file part'),
          },
        },
      },
    },
    webhooks: {
      'article.created': event('article.created', article, 'An article was published'),
      'article.updated': event('article.updated', article, 'An article changed'),
      'article.deleted': event(
        'article.deleted',
        { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
        'An article was deleted',
      ),
    },
    components: {
      securitySchemes: {
        oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } },
      },
      schemas: {
        Article: {
          type: 'object',
          required: ['id', 'title', 'body', 'category', 'author_id', 'created_at'],
          properties: {
            id: { type: 'integer' },
            title: { type: 'string' },
            body: { type: 'string' },
            category: { type: 'string' },
            author_id: { type: 'integer', description: 'The writer: a user id in accounts.', 'x-graftql-ref': 'User' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        ArticleInput: {
          type: 'object',
          required: ['title', 'body', 'category', 'author_id'],
          properties: {
            title: { type: 'string' },
            body: { type: 'string' },
            category: { type: 'string' },
            author_id: { type: 'integer' },
          },
        },
        ArticlePatch: {
          type: 'object',
          properties: { title: { type: 'string' }, body: { type: 'string' }, category: { type: 'string' } },
        },
        SearchResults: {
          type: 'object',
          required: ['results'],
          properties: {
            results: {
              type: 'array',
              items: {
                oneOf: [
                  {
                    type: 'object',
                    required: ['type', 'name', 'article_count'],
                    properties: {
                      type: { const: 'category' },
                      name: { type: 'string' },
                      article_count: { type: 'integer' },
                    },
                  },
                  {
                    allOf: [
                      article,
                      { type: 'object', required: ['type'], properties: { type: { const: 'article' } } },
                    ],
                  },
                ],
              },
            },
          },
        },
        ArticlePage: {
          type: 'object',
          required: ['data', 'next_cursor', 'prev_cursor'],
          properties: {
            data: { type: 'array', items: article },
            next_cursor: { type: ['string', 'null'] },
            prev_cursor: { type: ['string', 'null'] },
          },
        },
        ArticleList: {
          type: 'object',
          required: ['data'],
          properties: { data: { type: 'array', items: article } },
          additionalProperties: false,
        },
        Attachment: {
          type: 'object',
          required: ['id', 'article_id', 'filename', 'content_type', 'size', 'sha256', 'note', 'created_at'],
          properties: {
            id: { type: 'integer' },
            article_id: { type: 'integer' },
            filename: { type: 'string' },
            content_type: { type: 'string' },
            size: { type: 'integer' },
            sha256: { type: 'string' },
            note: { type: ['string', 'null'] },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        AttachmentList: {
          type: 'object',
          required: ['data'],
          properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } } },
        },
        Token: {
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in'],
          properties: {
            access_token: { type: 'string' },
            token_type: { const: 'Bearer' },
            expires_in: { type: 'integer' },
          },
        },
        Error: error,
      },
    },
  };
}

export function commentsDocument(): object {
  const vendor = 'application/vnd.comments.v1+json';
  const comment = { $ref: '#/components/schemas/Comment' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'comments',
      version: '1.0.0',
      description:
        'Comments on articles. HTTP Basic; page-number pagination with Link headers; form-encoded writes; a vendor JSON type.',
    },
    security: [{ basic: [] }],
    paths: {
      '/comments': {
        get: {
          operationId: 'firstCommentsOfArticles',
          summary: 'The first per_article comments of each article_id, oldest first, in one flat list',
          parameters: [
            {
              name: 'article_id',
              in: 'query',
              required: true,
              style: 'form',
              explode: true,
              schema: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'integer' } },
            },
            { name: 'per_article', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
          ],
          responses: {
            '200': {
              description: 'The comments, grouped by article in the order asked',
              content: { [vendor]: { schema: { $ref: '#/components/schemas/CommentList' } } },
            },
            '400': {
              description: 'article_id or per_article out of range',
              content: { [vendor]: { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
      '/articles/{id}/comments': {
        parameters: [pathId('The article (an id in content)')],
        get: {
          operationId: 'listComments',
          parameters: [
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
            { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
          ],
          responses: {
            '200': {
              description: 'A page, oldest first',
              headers: { Link: { description: 'RFC 8288: first, last, prev, next', schema: { type: 'string' } } },
              content: { [vendor]: { schema: { $ref: '#/components/schemas/CommentPage' } } },
            },
            '400': {
              description: 'page or per_page out of range',
              content: { [vendor]: { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
        post: {
          operationId: 'addComment',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['body', 'author_id'],
                  properties: { body: { type: 'string' }, author_id: { type: 'integer' } },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Created', content: { [vendor]: { schema: comment } } },
            '415': {
              description: 'Not form-encoded',
              content: { [vendor]: { schema: { $ref: '#/components/schemas/Error' } } },
            },
            '422': {
              description: 'body or author_id missing',
              content: { [vendor]: { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
    },
    webhooks: {
      'comment.added': {
        post: {
          summary: 'A comment was added (a Standard Webhooks delivery)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'timestamp', 'data'],
                  properties: { type: { const: 'comment.added' }, timestamp: { type: 'string' }, data: comment },
                },
              },
            },
          },
          responses: { '204': { description: 'Received' } },
        },
      },
    },
    components: {
      securitySchemes: { basic: { type: 'http', scheme: 'basic' } },
      schemas: {
        Comment: {
          type: 'object',
          required: ['id', 'article_id', 'author_id', 'body', 'created_at'],
          properties: {
            id: { type: 'integer' },
            article_id: { type: 'integer', description: 'The article: an id in content.' },
            author_id: { type: 'integer', description: 'The writer: a user id in accounts.', 'x-graftql-ref': 'User' },
            body: { type: 'string' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        CommentList: {
          type: 'object',
          required: ['comments'],
          properties: { comments: { type: 'array', items: comment } },
        },
        CommentPage: {
          type: 'object',
          required: ['comments', 'page', 'per_page', 'total_pages', 'total'],
          properties: {
            comments: { type: 'array', items: comment },
            page: { type: 'integer' },
            per_page: { type: 'integer' },
            total_pages: { type: 'integer' },
            total: { type: 'integer' },
          },
        },
        Error: error,
      },
    },
  };
}

export function weatherDocument(): object {
  const units = {
    name: 'units',
    in: 'query',
    schema: { type: 'string', enum: ['standard', 'metric', 'imperial'], default: 'standard' },
  };
  const city = {
    name: 'q',
    in: 'query',
    required: true,
    description: 'City name, optionally ",<country>".',
    schema: { type: 'string' },
  };
  const rateLimitHeaders = {
    'X-RateLimit-Limit': { schema: { type: 'integer' } },
    'X-RateLimit-Remaining': { schema: { type: 'integer' } },
    'X-RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
  };
  const failures = {
    '404': {
      description: 'Unknown city',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } },
    },
    '429': {
      description: 'Rate limit spent',
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } },
    },
  };
  const reading = {
    type: 'object',
    required: ['temp', 'humidity'],
    properties: { temp: { type: 'number' }, feels_like: { type: 'number' }, humidity: { type: 'integer' } },
  };
  const sky = {
    type: 'array',
    items: { type: 'object', required: ['description'], properties: { description: { type: 'string' } } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'weather',
      version: '2.5',
      description: 'OpenWeatherMap-shaped. An API key in the query; a rate limit announced in X-RateLimit-* headers.',
    },
    security: [{ appid: [] }],
    paths: {
      '/data/2.5/weather': {
        get: {
          operationId: 'currentWeather',
          parameters: [city, units],
          responses: {
            '200': {
              description: 'The current observation',
              headers: rateLimitHeaders,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Observation' } } },
            },
            ...failures,
          },
        },
      },
      '/data/2.5/forecast': {
        get: {
          operationId: 'forecast',
          parameters: [
            city,
            {
              name: 'cnt',
              in: 'query',
              description: 'Three-hour steps (1..40).',
              schema: { type: 'integer', minimum: 1, maximum: 40, default: 40 },
            },
            units,
          ],
          responses: {
            '200': {
              description: 'The forecast',
              headers: rateLimitHeaders,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Forecast' } } },
            },
            ...failures,
          },
        },
      },
    },
    components: {
      securitySchemes: { appid: { type: 'apiKey', in: 'query', name: 'appid' } },
      schemas: {
        Observation: {
          type: 'object',
          required: ['name', 'sys', 'main', 'weather', 'wind', 'dt'],
          properties: {
            name: { type: 'string' },
            sys: { type: 'object', required: ['country'], properties: { country: { type: 'string' } } },
            main: reading,
            weather: sky,
            wind: { type: 'object', required: ['speed'], properties: { speed: { type: 'number' } } },
            dt: { type: 'integer', description: 'Unix seconds.' },
          },
        },
        Forecast: {
          type: 'object',
          required: ['city', 'cnt', 'list'],
          properties: {
            city: {
              type: 'object',
              required: ['name', 'country'],
              properties: { name: { type: 'string' }, country: { type: 'string' } },
            },
            cnt: { type: 'integer' },
            list: {
              type: 'array',
              items: {
                type: 'object',
                required: ['dt', 'main', 'weather'],
                properties: { dt: { type: 'integer' }, main: reading, weather: sky },
              },
            },
          },
        },
        Failure: {
          type: 'object',
          required: ['cod', 'message'],
          properties: { cod: { type: ['string', 'integer'] }, message: { type: 'string' } },
        },
      },
    },
  };
}
