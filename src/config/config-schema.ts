/**
 * The shape of `graftql.config.ts`, with every default and unit. Built per
 * environment so that `{ env: 'NAME' }` references resolve while parsing:
 * secrets can only come from environment variables, never from the file.
 */
import { z } from 'zod';
import { eventPathProblem } from '../core/template.ts';
import { Secret } from './secret.ts';

type Env = Readonly<Record<string, string | undefined>>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Headers that describe one hop or the message framing; forwarding them would corrupt or smuggle requests. */
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'content-type',
  'expect',
  'cookie',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
]);

const forwardableHeader = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
  .refine((name) => !HOP_BY_HOP.has(name), 'a header the gateway sets itself (hop-by-hop, host, content framing)');

const dotPath = z.string().regex(/^[^.]+(\.[^.]+)*$/, 'a dot path such as "data" or "meta.total"');

/** Defaults for a source's `@rest(paginate:)` fields; each field may override any of them (docs/mapping.md). */
const pagination = z.strictObject({
  /** How the source pages: by offset, page number, a cursor in the body, or `Link` headers. */
  style: z.enum(['OFFSET', 'PAGE', 'CURSOR', 'LINK']).optional(),
  /** Where a page's items are in its body (a dot path). */
  items: dotPath.optional(),
  /** Where the list's length is. */
  total: dotPath.optional(),
  /** Where the number of pages is (a page-count API). */
  pages: dotPath.optional(),
  /** Where the number of the page sent is. */
  current: dotPath.optional(),
  /** Where the next page's cursor is. */
  next: dotPath.optional(),
  /** Where the previous page's cursor is. */
  prev: dotPath.optional(),
  /** The query parameter of the offset, page number or cursor. */
  param: z.string().min(1).optional(),
  /** The query parameter of the page size. */
  size: z.string().min(1).optional(),
});

/** The HTTP listener's limits against slow and oversized clients (server/listen.ts, server/linger.ts). */
const listener = z.strictObject({
  /** A request's line and headers must arrive within this; slower clients get 408 REQUEST_TIMEOUT (server/client-errors.ts). @default 10_000 // ms */
  headersTimeoutMs: z.number().int().positive().default(10_000),
  /** A whole inbound request, body included, must arrive within this (408 REQUEST_TIMEOUT). @default 30_000 // ms */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** How often Node checks the two timeouts above. @default 1_000 // ms */
  connectionsCheckingIntervalMs: z.number().int().positive().default(1_000),
  /** An idle keep-alive connection is closed after this. @default 5_000 // ms */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** The request line and headers together at most (431 beyond). @default 16_384 // bytes */
  maxHeaderSize: z.number().int().positive().default(16_384),
  /**
   * After an answer sent before the request's body was read (413, 429),
   * the rest of the body is read and dropped up to this many bytes, so the
   * client reads its answer instead of a connection reset (server/linger.ts).
   * @default 134_217_728 // bytes (128 MiB: more than the largest upload a default config accepts)
   */
  lingerBytes: z
    .number()
    .int()
    .min(0)
    .default(128 * 1024 * 1024),
  /** And for at most this long. @default 5_000 // ms */
  lingerMs: z.number().int().min(0).default(5_000),
});

const origin = z
  .string()
  .regex(
    /^(\*|https?:\/\/[^/\s?#]+)$/,
    "an origin: scheme://host[:port], no path (or '*' for any origin, without credentials)",
  )
  .transform((value) => value.toLowerCase());
const cors = z
  .strictObject({
    /** Origins whose pages may read answers (`https://app.example.com`); `'*'` for any, without credentials. @default [] in production, ['*'] otherwise */
    origins: z.array(origin).optional(),
    /** Listed origins may send cookies and Authorization (Access-Control-Allow-Credentials). Never with `'*'`. @default false */
    credentials: z.boolean().default(false),
    /** How long a browser may keep a preflight's answer. @default 600 // s */
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .refine((value) => !(value.credentials && value.origins?.includes('*')), {
    message: "credentials cannot be given to '*' (any origin): list the origins that may send them",
  });

/** What the graph's mapping needs of a source: readable without the environment, for `graftql check` and codegen. */
export const sourceMapping = z.object({
  /** The largest page this source serves; the gateway always asks for pages this big. @default 100 // items */
  maxPageSize: z.number().int().min(1).max(1_000).default(100),
  /**
   * Inbound request headers passed on to this source (lower-case), none by
   * default. Forwarding `authorization` makes every cached or shared answer
   * of this source private to the caller's credential.
   */
  forwardHeaders: z.array(forwardableHeader).default([]),
  /**
   * The caller's verified identity (the config's auth) sent to this source
   * as a header: a claim of its token (`claim: 'sub'`), or without `claim`
   * the token itself (`Bearer <token>` in `authorization`). Nothing is sent
   * for an anonymous caller; cached answers of this source are the caller's own.
   */
  forwardCaller: z.strictObject({ header: forwardableHeader, claim: z.string().min(1).optional() }).optional(),
  /**
   * How this source spells record fields: 'snake_case' reads the graph's
   * `createdAt` from `created_at` (and sends input fields that way), unless
   * a field says otherwise with @from. @default 'camelCase' (as the graph spells them)
   */
  naming: z.enum(['camelCase', 'snake_case']).default('camelCase'),
  pagination: pagination.optional(),
});
export type SourceMapping = z.output<typeof sourceMapping>;

const timeouts = z.strictObject({
  /** TCP (and TLS) connect. @default 1_000 // ms */
  connectMs: z.number().int().positive().default(1_000),
  /** From request sent to response headers received. @default 2_000 // ms */
  headersMs: z.number().int().positive().default(2_000),
  /** Longest silence between two body chunks. @default 2_000 // ms */
  bodyMs: z.number().int().positive().default(2_000),
  /** The whole attempt, headers and body together: stops a dripping upstream. @default 2_500 // ms */
  attemptMs: z.number().int().positive().default(2_500),
});

const sourceCache = z.strictObject({
  /** Store this source's GET/HEAD answers (identical in-flight calls are shared either way, unless `coalesce` is off). @default true */
  enabled: z.boolean().default(true),
  /** Identical GET/HEAD calls in flight (same URL, headers and caller partition) share one upstream call; off, each makes its own (what the benchmark's honest rows measure). @default true */
  coalesce: z.boolean().default(true),
  /** Freshness of answers that carry no max-age/s-maxage; 0 stores only answers that say how long they keep. @default 0 // ms */
  ttlMs: z.number().int().min(0).default(0),
  /** How long past freshness a cached answer may stand in for a failing source; a response's `stale-if-error` wins. @default 0 // ms */
  staleIfErrorMs: z.number().int().min(0).default(0),
});

const retry = z.strictObject({
  /** Tries in all, the first included; 1 turns retries off. @default 3 */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Backoff before the second try; doubles each time, full jitter. @default 100 // ms */
  baseDelayMs: z.number().int().min(0).default(100),
  /** The longest backoff between tries. @default 2_000 // ms */
  maxDelayMs: z.number().int().min(0).default(2_000),
  /** Retries may add at most this share of the calls over the window... @default 0.2 */
  budgetRatio: z.number().min(0).max(1).default(0.2),
  /** ...plus this many, whatever the traffic. @default 10 */
  budgetFloor: z.number().int().min(0).default(10),
  /** The window the retry budget counts calls over. @default 10_000 // ms */
  budgetWindowMs: z.number().int().positive().default(10_000),
  /** Methods this source treats as idempotent; POST and PATCH are retried only with an Idempotency-Key header. @default ['GET', 'HEAD'] */
  idempotentMethods: z.array(z.enum(['GET', 'HEAD', 'PUT', 'DELETE'])).default(['GET', 'HEAD']),
});

const breaker = z.strictObject({
  /** A circuit breaker for this source: open after a run of failures, answering CIRCUIT_OPEN at once. @default true */
  enabled: z.boolean().default(true),
  /** Opens at this share of failures... @default 0.5 */
  failureRatio: z.number().gt(0).max(1).default(0.5),
  /** ...over at least this many calls... @default 20 */
  minimumCalls: z.number().int().positive().default(20),
  /** ...within this window. @default 10_000 // ms */
  windowMs: z.number().int().positive().default(10_000),
  /** Stays open this long, then lets one probe through. @default 5_000 // ms */
  openMs: z.number().int().positive().default(5_000),
});

const hedge = z.strictObject({
  /** Send one backup attempt of an idempotent call that has not answered after the delay below. @default true */
  enabled: z.boolean().default(true),
  /** Backups one call may send, each after another delay: a second one is there for a backup that meets a hung call too. @default 2 */
  maxBackups: z.number().int().min(1).max(5).default(2),
  /** A fixed delay instead of one from the source's recent latency. @default the latency percentile below // ms */
  delayMs: z.number().int().positive().optional(),
  /** The percentile of the source's recent attempt durations to wait before hedging. @default 95 */
  percentile: z.number().min(50).max(99.9).default(95),
  /** The delay is never shorter... @default 50 // ms */
  minDelayMs: z.number().int().min(1).default(50),
  /** ...nor longer (also the delay until 20 attempts have been timed). @default 1_000 // ms */
  maxDelayMs: z.number().int().min(1).default(1_000),
});

const rateLimit = z.strictObject({
  /** Pace calls by the source's X-RateLimit-* / RateLimit headers. @default true */
  fromHeaders: z.boolean().default(true),
  /** Spread calls evenly until the reset once this few remain. @default 5 */
  spreadBelow: z.number().int().min(0).default(5),
  /** A fixed limit for sources that send no headers: requests per second... */
  requestsPerSecond: z.number().positive().optional(),
  /** ...and how many may go at once. @default requestsPerSecond */
  burst: z.number().int().positive().optional(),
});

const urlPath = z.string().regex(/^\/[^?#\s]*$/, 'a path starting with /, without ? or #');

const paths = z.strictObject({
  /** GraphQL over HTTP, and GraphiQL for browsers. @default '/graphql' */
  graphql: urlPath.default('/graphql'),
  /** 200 while the process serves. @default '/healthz' */
  health: urlPath.default('/healthz'),
  /** 200 when every non-optional source answers. @default '/readyz' */
  ready: urlPath.default('/readyz'),
  /** Webhooks from sources arrive at `<webhooks>/<source name>`. @default '/webhooks' */
  webhooks: urlPath.default('/webhooks'),
});

const cache = z.strictObject({
  /** Entries across all sources. @default 10_000 */
  maxEntries: z.number().int().positive().default(10_000),
  /** Body bytes across all sources. @default 52_428_800 // bytes (50 MiB) */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /**
   * The result cache: whole results, by estimated size, of queries whose
   * fields are all declared (keyed as `server.dedupe` keys them: document,
   * variables, forwarded headers). A result built only from fresh stored
   * upstream answers is given again to an identical query while each of
   * those is still the one stored and fresh. 0 turns it off. Was
   * `maxAnswerBytes` (still accepted, with a deprecation warning).
   * @default 8_388_608 // bytes (8 MiB)
   */
  maxResultBytes: z
    .number()
    .int()
    .min(0)
    .default(8 * 1024 * 1024),
});

const clientRateLimit = z.strictObject({
  /** Requests one client may make per second, sustained... */
  requestsPerSecond: z.number().positive(),
  /** ...and at once. @default requestsPerSecond */
  burst: z.number().int().positive().optional(),
  /**
   * Who a client is, with no default because each choice has a catch:
   * `ip` (the connection's address: behind a load balancer, everyone is one
   * client), `authorization` (a hash of the Authorization header, else the
   * address: the gateway does not verify tokens, so a client that invents
   * a new one per request escapes the limit), `{ header }` (a header a
   * trusted proxy sets, such as its verified user id, else the address), or
   * `subject` (the verified token's issuer and `sub`, else the address;
   * needs the config's auth: counted once the token is verified).
   */
  by: z.union([
    z.enum(['ip', 'authorization', 'subject']),
    z.strictObject({ header: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name') }),
  ]),
  /** Clients remembered at once; the least recently seen are forgotten first. @default 10_000 */
  maxClients: z.number().int().positive().default(10_000),
});

const uploads = z.strictObject({
  /** Files one request may carry (the GraphQL multipart request); 0 refuses uploads. @default 5 */
  maxFiles: z.number().int().min(0).default(5),
  /** One file. @default 10_485_760 // bytes (10 MiB) */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** All files of one request together. @default 52_428_800 // bytes (50 MiB) */
  maxTotalBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Accepted content types, as the client declares them: 'image/png', 'image/*', or '*\/*' for any. @default ['*\/*'] */
  contentTypes: z
    .array(z.string().regex(/^([\w.+-]+|\*)\/([\w.+-]+|\*)$/, 'a media type such as image/png or image/*'))
    .min(1)
    .default(['*/*']),
});

const limits = z.strictObject({
  /** The whole GraphQL request, upstream waits and in-memory execution alike; unfinished fields then answer GATEWAY_TIMEOUT. @default 10_000 // ms */
  requestDeadlineMs: z.number().int().positive().default(10_000),
  /** Upstream calls one operation may make, after batching and caching. @default 50 */
  upstreamCallsPerOperation: z.number().int().positive().default(50),
  /** Request body, decided from Content-Length where declared. @default 1_048_576 // bytes (1 MiB) */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Lexical tokens in a document (graphql-js stops parsing past it). @default 5_000 */
  maxTokens: z.number().int().positive().default(5_000),
  /** Nested field levels; a Relay connection takes two (`edges`, `node`). @default 12 */
  maxDepth: z.number().int().positive().default(12),
  /** Aliased fields in the operation, fragments expanded. @default 30 */
  maxAliases: z.number().int().min(0).default(30),
  /** Distinct root fields (response keys) in the operation. @default 20 */
  maxRootFields: z.number().int().positive().default(20),
  /** Directives used in the document. @default 50 */
  maxDirectives: z.number().int().min(0).default(50),
  /** Estimated objects the operation can produce, multiplied through `first`/`last` and list sizes. @default 10_000 */
  maxCost: z.number().int().positive().default(10_000),
  /** Items assumed for a list field that declares no `@listSize` and has no `first`/`last`. @default 20 */
  defaultListSize: z.number().int().positive().default(20),
  /** Objects (resolved values and list items) one answer may hold, counted while executing. @default 50_000 */
  maxResponseObjects: z.number().int().positive().default(50_000),
  /** Serialised answer. @default 10_485_760 // bytes (10 MiB) */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Characters in a String argument or input field without its own `@length(max:)`. @default 10_000 */
  maxStringLength: z.number().int().positive().default(10_000),
  /** Characters in an ID argument or input field; control characters are refused in IDs. @default 256 */
  maxIdLength: z.number().int().positive().default(256),
  /** Subscriptions open at once in the process; more are refused with TOO_MANY_SUBSCRIPTIONS. @default 10_000 */
  maxSubscriptions: z.number().int().min(0).default(10_000),
  /** Subscriptions open at once on one connection (a WebSocket, or one client address over SSE). @default 100 */
  maxSubscriptionsPerConnection: z.number().int().min(0).default(100),
  /** Events one subscriber may fall behind; one more cuts it off with SUBSCRIBER_TOO_SLOW. @default 100 */
  subscriberQueue: z.number().int().positive().default(100),
  /** Files sent with mutations (docs/uploads.md); spooled to disk, checked against these before any upstream call. */
  uploads: uploads.default(uploads.parse({})),
  /** Requests per client (token or address), off unless set. Over it: 429 REQUEST_RATE_LIMITED with Retry-After. */
  clientRateLimit: clientRateLimit.optional(),
});

const persistedDocuments = z.strictObject({
  /**
   * The allow-list: a JSON object of id -> document (graphql-codegen's
   * client preset, Relay), or an Apollo persisted query manifest. A path,
   * relative to the working directory.
   */
  file: z.string().min(1),
  /** Run only listed documents (trusted documents); false also runs any other. @default true */
  only: z.boolean().default(true),
});

/** The values a config may take from the environment: a secret, a base URL, a PEM text (`{ env: 'NAME' }`). */
function envReaders(env: Env) {
  const fromEnv = z.strictObject({ env: z.string().regex(ENV_NAME, 'an environment variable name') });

  const secret = fromEnv.transform((ref, ctx) => {
    const value = env[ref.env];
    if (!value) {
      ctx.addIssue({ code: 'custom', message: `environment variable ${ref.env} is not set` });
      return z.NEVER;
    }
    return new Secret(value);
  });

  const baseUrl = z.union([z.string(), fromEnv]).transform((value, ctx) => {
    const text = typeof value === 'string' ? value : env[value.env];
    if (!text) {
      ctx.addIssue({
        code: 'custom',
        message: `environment variable ${typeof value === 'string' ? '' : value.env} is not set`,
      });
      return z.NEVER;
    }
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.search ||
      url.hash ||
      url.username ||
      url.password
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http(s) base URL without query, fragment or credentials, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
  });

  /** A PEM text: from a file (relative to the config) or an environment variable. */
  const pem = z.union([
    z.strictObject({ file: z.string().min(1) }),
    fromEnv.transform((ref, ctx) => {
      const value = env[ref.env];
      if (!value) {
        ctx.addIssue({ code: 'custom', message: `environment variable ${ref.env} is not set` });
        return z.NEVER;
      }
      return { text: value };
    }),
  ]);
  return { secret, baseUrl, pem };
}

type EnvReaders = ReturnType<typeof envReaders>;

function authSchema(secret: EnvReaders['secret']) {
  const auth = z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('apiKey'),
      /** Where the key goes: a request header or a query parameter. */
      in: z.enum(['header', 'query']),
      /** Header or query parameter name, e.g. `X-API-Key` or `appid`. */
      name: z.string().min(1),
      key: secret,
    }),
    z.strictObject({ type: z.literal('bearer'), token: secret }),
    z.strictObject({
      type: z.literal('oauth2ClientCredentials'),
      /** Token endpoint, relative to the source's base URL. @default '/oauth/token' */
      tokenPath: z.string().startsWith('/').default('/oauth/token'),
      clientId: secret,
      clientSecret: secret,
      scope: z.string().optional(),
      /** Refresh this long before the token expires. @default 30_000 // ms */
      refreshBeforeExpiryMs: z.number().int().min(0).default(30_000),
    }),
    z.strictObject({ type: z.literal('basic'), username: secret, password: secret }),
    z.strictObject({
      type: z.literal('login'),
      /** The login endpoint, relative to the source's base URL: POSTed the fields. */
      path: z.string().startsWith('/'),
      /** The login's fields, name to a literal or a secret: `{ username: { env: 'CRM_USER' }, password: { env: 'CRM_PASSWORD' } }`. */
      fields: z.record(z.string().min(1), z.union([z.string(), secret])),
      /** How the fields are sent. @default 'json' */
      encoding: z.enum(['json', 'form']).default('json'),
      /** What the login answers and every call then sends: its cookies, or a token read from its JSON body at a dot path, sent in a header. @default { cookies: true } */
      session: z
        .union([
          z.strictObject({ cookies: z.literal(true) }),
          z.strictObject({
            token: dotPath,
            header: z.string().min(1).default('authorization'),
            prefix: z.string().default('Bearer '),
          }),
        ])
        .default({ cookies: true }),
      /** Statuses that mean the session ended: one login again, then the call once more. @default [401, 419] */
      renewOn: z.array(z.number().int().min(400).max(499)).min(1).default([401, 419]),
      /** A session is used at most this long (or a cookie's Max-Age) before logging in again. @default 3_600_000 // ms */
      maxAgeMs: z.number().int().positive().default(3_600_000),
      /** After a failed login, the next waits at least this long, doubling to a minute; calls meanwhile fail at once. @default 1_000 // ms */
      retryAfterFailureMs: z.number().int().min(0).default(1_000),
    }),
  ]);
  return auth;
}

function tlsSchema({ secret, pem }: EnvReaders) {
  const tls = z
    .strictObject({
      /** The CAs this source's certificate must chain to, instead of Node's public roots: a PEM bundle, `{ file }` or `{ env }`. */
      ca: pem.optional(),
      /** A client certificate (PEM, `{ file }` or `{ env }`) for a source that requires one (mTLS); with `key`. */
      cert: pem.optional(),
      /** The client certificate's private key (PEM), from the environment only. */
      key: secret.optional(),
      /** The key's passphrase, when it is encrypted. */
      passphrase: secret.optional(),
      /** The name the source's certificate must carry, when it differs from the URL's host (SNI too). */
      servername: z.string().min(1).optional(),
      /** The lowest TLS version accepted from the source. @default 'TLSv1.2' */
      minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
      /** Development only: accept any certificate. Refused in production; logged as a warning and shown by /readyz otherwise. @default false */
      insecureSkipVerify: z.boolean().default(false),
    })
    .refine((value) => (value.cert === undefined) === (value.key === undefined), {
      message: 'cert and key go together (a client certificate needs its key)',
      path: ['key'],
    });
  return tls;
}

function webhooksSchema(secret: EnvReaders['secret']) {
  const webhooks = z
    .strictObject({
      /** How deliveries are signed: 'standard' (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) or 'hubSignature256' (GitHub style: X-Hub-Signature-256 over the body). */
      scheme: z.enum(['standard', 'hubSignature256']),
      /** Signing secrets, `{ env }` each; a delivery signed by any of them passes (rotation). Standard Webhooks secrets are `whsec_` and base64. */
      secrets: z.array(secret).min(1),
      /** How far a signed timestamp may be from the gateway's clock, either way; also how long delivery ids are remembered against replays. @default 300 // s */
      toleranceSeconds: z.number().int().positive().default(300),
      /** Largest delivery body; a larger one is refused before it is hashed. @default 1_048_576 // bytes (1 MiB) */
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
      /** Where the event type is in the body. @default 'type' */
      type: dotPath.default('type'),
      /** A header that names the event type instead (GitHub: 'x-github-event'). */
      typeHeader: z
        .string()
        .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
        .optional(),
      /** The header with the delivery id (hubSignature256; the standard scheme's is webhook-id). @default 'x-github-delivery' */
      idHeader: z
        .string()
        .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
        .default('x-github-delivery'),
      /** Cached reads an event makes stale, by event type: path templates over the event as sent, `{ 'article.updated': ['/articles/{$event.data.id}'] }`. */
      invalidates: z.record(z.string(), z.array(z.string())).default({}),
      /** Delivery ids remembered at once against replays; the oldest are forgotten first. @default 100_000 */
      maxRemembered: z.number().int().positive().default(100_000),
    })
    // A secret's form is checked where it is used (webhook-receiver.ts): `graftql check` stands placeholders in for unset variables.
    .superRefine((value, ctx) => {
      for (const [type, templates] of Object.entries(value.invalidates)) {
        templates.forEach((template, index) => {
          const problem = eventPathProblem(template);
          if (problem) ctx.addIssue({ code: 'custom', path: ['invalidates', type, index], message: problem });
        });
      }
    });
  return webhooks;
}

/** One source: its URL, auth, limits, resilience, webhooks and TLS. */
function sourceSchema(readers: EnvReaders) {
  const auth = authSchema(readers.secret);
  const tls = tlsSchema(readers);
  const webhooks = webhooksSchema(readers.secret);
  const baseUrl = readers.baseUrl;
  const source = z.strictObject({
    ...sourceMapping.shape,
    /** Base URL: origin plus an optional path prefix. A string, or `{ env: 'NAME' }`. */
    url: baseUrl,
    /** Readiness ignores this source when true. @default false */
    optional: z.boolean().default(false),
    /**
     * How the gateway proves itself to this source: `{ type: 'apiKey', in: 'header' | 'query', name, key }`,
     * `{ type: 'bearer', token }`, `{ type: 'basic', username, password }`, or `{ type:
     * 'oauth2ClientCredentials', clientId, clientSecret, scope?, tokenPath = '/oauth/token',
     * refreshBeforeExpiryMs = 30_000 }`; every secret an `{ env: 'NAME' }`. @default none
     */
    auth: auth.optional(),
    timeouts: timeouts.default(timeouts.parse({})),
    /** Largest decoded response body accepted. @default 10_485_760 // bytes (10 MiB) */
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** Deepest JSON nesting accepted. @default 64 */
    maxJsonDepth: z.number().int().positive().max(1_000).default(64),
    /** Open connections to this source at most; over HTTP/2, calls in flight at most. @default 32 */
    connections: z.number().int().positive().default(32),
    /**
     * HTTP/2 to this source (docs/resilience.md, "HTTP/2 to a source"). `'auto'`: offered over TLS (ALPN) and used
     * when the source picks it, else HTTP/1.1 (plain http stays HTTP/1.1). `true`: required: an https
     * source that does not agree fails its calls (UPSTREAM_TLS_ERROR, reason `no-http2`); over plain
     * http, HTTP/2 with prior knowledge (h2c). One connection carries many calls at once. @default false
     */
    http2: z.union([z.boolean(), z.literal('auto')]).default(false),
    cache: sourceCache.default(sourceCache.parse({})),
    retry: retry.default(retry.parse({})),
    breaker: breaker.default(breaker.parse({})),
    hedge: hedge.default(hedge.parse({})),
    rateLimit: rateLimit.default(rateLimit.parse({})),
    /** Calls that may wait for one of the `connections`; beyond them, calls fail at once (UPSTREAM_UNAVAILABLE) rather than queue without bound. @default 256 */
    maxQueued: z.number().int().min(0).default(256),
    /** Webhooks this source sends to `POST <paths.webhooks>/<source>` (docs/webhooks.md). */
    webhooks: webhooks.optional(),
    /** TLS for an https source: a private CA, a client certificate (mTLS), the server name, the lowest version. */
    tls: tls.optional(),
  });
  return source;
}

function serverSchema(production: boolean, env: Env) {
  const server = z.strictObject({
    /** Overridden by the PORT environment variable. @default 4000 */
    port: z.number().int().min(0).max(65_535).default(4000),
    /** Overridden by the HOST environment variable. @default '127.0.0.1' */
    host: z.string().min(1).default('127.0.0.1'),
    /** Production mode: no GraphiQL unless enabled. @default NODE_ENV === 'production' */
    production: z.boolean().default(production),
    /** Serve GraphiQL on GET /graphql for browsers. @default !production */
    graphiql: z.boolean().optional(),
    /** Answer introspection (`__schema`, `__type`) over every transport. @default !production */
    introspection: z.boolean().optional(),
    /** "Did you mean ...?" suggestions in validation errors (they reveal the schema). @default !production */
    suggestions: z.boolean().optional(),
    /** On SIGTERM/SIGINT, wait this long for in-flight requests. @default 10_000 // ms */
    shutdownGraceMs: z.number().int().min(0).default(10_000),
    /**
     * Identical queries in flight at once share one execution: the same document, operation and
     * variables, and the same values of every header a source forwards (the identity cached
     * answers are partitioned by). Mutations and subscriptions never. `'declared'`: queries
     * whose fields are all declared in SDL (none resolved or typed by hand-written code, which
     * could read any request header); `true`: every query (when no hand-written resolver reads
     * a header no source forwards); `false`: none. @default 'declared'
     */
    dedupe: z
      .union([z.boolean(), z.literal('declared')], { error: "expected true, false or 'declared'" })
      .default('declared'),
    /**
     * A query's declared fields run as a plan, compiled once per document (docs/mapping.md);
     * root fields with hand-written fields below them run beside the plan in graphql-js.
     * `false`: graphql-js and graphql-jit run every field. @default true (GRAFTQL_PLANS=0: false)
     */
    plans: z.boolean().default(env.GRAFTQL_PLANS !== '0'),
    /**
     * Serve the graph as an Apollo Federation 2 subgraph (docs/federation.md): `_service { sdl }` and
     * `_entities`, `@node(fetch:)` types as entities keyed by id, the federation directives the SDL
     * writes; checked by composition before serving. `graftql serve --subgraph` sets it. @default false
     */
    federation: z.boolean().default(false),
    /** The gateway's paths, matched against the whole URL (under Express, `originalUrl`: include the mount prefix). */
    paths: paths.default(paths.parse({})),
    listener: listener.default(listener.parse({})),
    /** Cross-origin access from web pages (server/cors.ts). */
    cors: cors.default(cors.parse({})),
  });
  return server;
}

function observabilitySchema(env: Env, secret: EnvReaders['secret'], production: boolean) {
  const metrics = z.strictObject({
    /** Prometheus metrics (docs/observability.md). @default true */
    enabled: z.boolean().default(true),
    /** Where the exposition is served. @default '/metrics' */
    path: urlPath.default('/metrics'),
    /** Serve them on this port (on `server.host`), not on the gateway's: keeps them off a public port. @default the gateway's port */
    port: z.number().int().min(0).max(65_535).optional(),
    /** Operation names kept as label values beyond those of persisted documents; later ones count as "other". @default 100 */
    maxOperationNames: z.number().int().min(0).default(100),
    /**
     * Operation names that are not those of persisted documents are labelled
     * `hash:` + 12 hex digits of their SHA-256, so that no name a client
     * invents (`CustomerSecretReport_Acme`) reaches the metrics.
     * @default NODE_ENV === 'production'
     */
    hashOperationNames: z.boolean().default(production),
  });
  const status = z.strictObject({
    /** A page of each source's state and last minute. @default true */
    enabled: z.boolean().default(true),
    /** Where the page is served. @default '/status' */
    path: urlPath.default('/status'),
    /** In production the page is served only to `Authorization: Bearer <token>`, and not at all without a token. */
    token: secret.optional(),
  });
  const tracing = z.strictObject({
    /** OpenTelemetry traces over OTLP/HTTP, configured by the OTEL_* variables. @default OTEL_TRACES_EXPORTER is "otlp" */
    enabled: z
      .boolean()
      .default((env.OTEL_TRACES_EXPORTER ?? '').split(',').includes('otlp') && env.OTEL_SDK_DISABLED !== 'true'),
    /** Continue a caller's trace from its `traceparent` header. @default true */
    acceptParent: z.boolean().default(true),
    /** Send `traceparent` to sources, so their spans join the trace. @default true */
    propagate: z.boolean().default(true),
    /** On shutdown, how long buffered spans may take to leave before they are dropped. @default 2_000 // ms */
    shutdownFlushMs: z.number().int().min(0).default(2_000),
  });
  const observability = z.strictObject({
    metrics: metrics.default(metrics.parse({})),
    status: status.default(status.parse({})),
    tracing: tracing.default(tracing.parse({})),
    /** One log line per request (info; warn when a source failed it; error for a gateway fault). @default true */
    requestLog: z.boolean().default(true),
  });
  return observability;
}

const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** Who the callers are: their tokens verified (docs/auth.md). */
function callersSchema({ pem }: EnvReaders) {
  const jwtIssuer = z
    .strictObject({
      /** The token's `iss`, exactly. */
      issuer: z.string().min(1),
      /** The token's `aud` must be (or contain) one of these. @default not checked */
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      /** The issuer's JWKS URL (`https://.../.well-known/jwks.json`): keys fetched, kept, fetched again for an unknown key id. */
      jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Public keys (SPKI PEM), from files or environment variables, instead of a JWKS URL. */
      keys: z.array(pem).min(1).optional(),
      /** Signature algorithms accepted from this issuer: asymmetric only (never `none`, no HS256 with a public key). @default ['RS256'] */
      algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).default(['RS256']),
    })
    .refine(
      (value) => (value.jwksUrl === undefined) !== (value.keys === undefined),
      'give jwksUrl or keys, one of them',
    );
  const callerJwt = z.strictObject({
    /** Who may sign callers' tokens; a token is verified by the one its `iss` names. */
    issuers: z.array(jwtIssuer).min(1),
    /** Leeway for `exp` and `nbf`. @default 30 // s */
    clockSkewSeconds: z.number().int().min(0).max(300).default(30),
    /** Longest token read; a longer one is refused unread. @default 8192 // bytes */
    maxTokenBytes: z.number().int().positive().max(65_536).default(8192),
  });
  const tokenFrom = z.union([
    z.strictObject({ header: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name') }),
    z.strictObject({ cookie: z.string().regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'a cookie name') }),
  ]);
  const callers = z.strictObject({
    /** Callers' tokens, JWTs verified with jose. */
    jwt: callerJwt,
    /** Where callers send their token: a header (`Bearer ` before it is optional but for Authorization) or a cookie; never the URL. @default { header: 'authorization' } */
    tokenFrom: tokenFrom.default({ header: 'authorization' }),
    /** Every operation needs a verified token, whatever fields it asks for. @default false: only fields with @authenticated, @requiresScopes or @policy do */
    required: z.boolean().default(false),
    /**
     * An operation that asks for a field the caller may not read: `refuse`
     * it whole before any upstream call (401 or 403), or run the rest and
     * answer `null` for each such field with its coded error. @default 'refuse'
     */
    unauthorized: z.enum(['refuse', 'null']).default('refuse'),
  });
  return callers;
}

function redisSchema(secret: EnvReaders['secret']) {
  const redis = z.strictObject({
    /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS: a secret (it may hold a password), e.g. `{ env: 'REDIS_URL' }`. */
    url: secret,
    /** Prefixes every key and channel: the replicas of one graph share it, another graph on the same Redis takes another. @default 'graftql:' */
    keyPrefix: z.string().min(1).max(64).default('graftql:'),
    /** A Redis command that takes longer fails, and the replica uses its own state for that call. @default 250 // ms */
    commandTimeoutMs: z.number().int().positive().max(10_000).default(250),
    /**
     * How often a PING checks that Redis still answers. A hung Redis keeps its
     * connections open and only stops answering: one that does not answer a
     * PING within `commandTimeoutMs`, or lets a command time out, counts as
     * down (`graftql_redis_up` 0, each feature on its replica's own state at
     * once) until a PING is answered again. @default 1_000 // ms
     */
    pingEveryMs: z.number().int().positive().max(60_000).default(1_000),
    /** The largest cached answer kept in Redis; a larger one stays in the replica that fetched it. @default 1_048_576 // bytes */
    maxValueBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  });
  return redis;
}

function cursorsSchema(secret: EnvReaders['secret']) {
  const cursorKey = z.strictObject({
    /** Names the key inside each cursor, so older keys keep verifying after a rotation. */
    id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, '1 to 16 letters, digits, _ or -'),
    /** At least 32 characters. */
    secret: secret.refine((value) => value.reveal().length >= 32, 'a secret of at least 32 characters'),
  });

  const cursors = z.strictObject({
    /**
     * HMAC keys that sign connection cursors; the first signs, all verify.
     * @default one random key per process (cursors then do not survive a restart or cross replicas)
     */
    keys: z.array(cursorKey).min(1).optional(),
  });
  return cursors;
}

export function configSchema(env: Env) {
  const readers = envReaders(env);
  const { secret } = readers;
  const production = env.NODE_ENV === 'production';
  const source = sourceSchema(readers);
  const server = serverSchema(production, env);
  const observability = observabilitySchema(env, secret, production);
  const redis = redisSchema(secret);
  const cursors = cursorsSchema(secret);
  const callers = callersSchema(readers);

  return (
    z
      .strictObject({
        /** The folder of the graph's SDL files, relative to the config file (or the working directory when embedded). @default 'schema' */
        schema: z.string().min(1).default('schema'),
        /** Hand-written resolvers for fields the mapping directives cannot express, by type and field; typed by codegen. */
        resolvers: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
        /** Runs before `graftql serve` serves, with the environment it will read and whether `--example` was given (e.g. to start local stand-ins for sources); not for check or embedding. */
        beforeStart: z
          .custom<(env: Record<string, string | undefined>, options: { example: boolean }) => unknown>(
            (value) => typeof value === 'function',
            'a function',
          )
          .optional(),
        /** Runs once `graftql serve` listens, with its base URL and whether `--example` was given (e.g. to point local stand-ins' webhooks at it). */
        afterStart: z
          .custom<(started: { url: string }, options: { example: boolean }) => unknown>(
            (value) => typeof value === 'function',
            'a function',
          )
          .optional(),
        /** Per-request loaders for hand-written resolvers, made from the request's sources (`context.loaders`). */
        loaders: z
          .custom<(sources: Readonly<Record<string, unknown>>) => unknown>(
            (value) => typeof value === 'function',
            "a function of the request's sources",
          )
          .optional(),
        server: server.default(server.parse({})),
        cache: cache.default(cache.parse({})),
        limits: limits.default(limits.parse({})),
        persistedDocuments: persistedDocuments.optional(),
        cursors: cursors.default({}),
        /** Callers' tokens verified (JWT), for `@authenticated` and `@requiresScopes` fields and `$jwt` templates (docs/auth.md). @default off: callers are not identified */
        auth: callers.optional(),
        /** Redis shared by replicas: second-level cache, webhook replay store, event relay (docs/deploy.md). @default off: one process, its own state */
        redis: redis.optional(),
        observability: observability.default(observability.parse({})),
        sources: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'a camelCase source name'), source),
      })
      // Certificate verification is never off in production, for one source or for the process.
      .superRefine((value, ctx) => {
        if (!value.server.production) return;
        for (const [name, source] of Object.entries(value.sources))
          if (source.tls?.insecureSkipVerify)
            ctx.addIssue({
              code: 'custom',
              path: ['sources', name, 'tls', 'insecureSkipVerify'],
              message: 'certificate verification cannot be turned off in production',
            });
        if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0')
          ctx.addIssue({
            code: 'custom',
            path: ['NODE_TLS_REJECT_UNAUTHORIZED'],
            message:
              'is 0, which turns certificate verification off for every source; in production unset it, and give a source with a private CA its sources.<name>.tls.ca',
          });
      })
      // What reads the verified caller needs callers to be verified.
      .superRefine((value, ctx) => {
        if (value.auth) return;
        if (value.limits.clientRateLimit?.by === 'subject')
          ctx.addIssue({
            code: 'custom',
            path: ['limits', 'clientRateLimit', 'by'],
            message: "'subject' needs callers' tokens verified: give the config an auth section",
          });
        for (const [name, source] of Object.entries(value.sources))
          if (source.forwardCaller)
            ctx.addIssue({
              code: 'custom',
              path: ['sources', name, 'forwardCaller'],
              message:
                "forwards the verified caller, which needs callers' tokens verified: give the config an auth section",
            });
      })
  );
}

export type ConfigSchema = ReturnType<typeof configSchema>;
/** What `graftql.config.ts` exports: defaults omitted, secrets as `{ env: 'NAME' }`. */
export type GatewayConfig = z.input<ConfigSchema>;
type Parsed = z.output<ConfigSchema>;
/** The validated, defaulted, frozen configuration the gateway runs with. */
export type ResolvedConfig = Readonly<
  Omit<Parsed, 'server'> & {
    server: Omit<Parsed['server'], 'cors'> & {
      graphiql: boolean;
      introspection: boolean;
      suggestions: boolean;
      cors: Parsed['server']['cors'] & { origins: readonly string[] };
    };
  }
>;
export type Limits = ResolvedConfig['limits'];
export type SourceConfig = Parsed['sources'][string];
export type AuthConfig = NonNullable<SourceConfig['auth']>;
