/**
 * Starts the four example REST services and tells how to reach them, as the
 * `NAME=value` environment a gateway reads its sources from.
 */
import { type AccountsService, startAccounts } from './accounts.ts';
import { startComments } from './comments.ts';
import { type ContentService, startContent } from './content.ts';
import type { Service } from './service.ts';
import { startWeather, type WeatherService } from './weather.ts';
import { webhookTarget } from './webhooks.ts';

export type { AccountsService } from './accounts.ts';
export { exampleUserToken } from './accounts.ts';
export type { ContentService } from './content.ts';
export { seed } from './seed.ts';
export type { Fault, FaultRule, RecordedRequest, Service } from './service.ts';
export type { WeatherService } from './weather.ts';
export { sendWebhooksTo } from './webhooks.ts';

export interface Credentials {
  accountsApiKey: string;
  contentClientId: string;
  contentClientSecret: string;
  commentsUser: string;
  commentsPassword: string;
  weatherAppid: string;
  /** Signs content's and comments' webhooks: Standard Webhooks' whsec_ and base64. */
  webhookSecret: string;
}

/** Development credentials: not secrets, they only open the bundled example services. */
export const DEV_CREDENTIALS: Credentials = {
  accountsApiKey: 'dev-accounts-key',
  contentClientId: 'graftql-dev',
  contentClientSecret: 'dev-content-secret',
  commentsUser: 'graftql',
  commentsPassword: 'dev-comments-password',
  weatherAppid: 'dev-weather-appid',
  webhookSecret: `whsec_${Buffer.from('graftql-dev-webhook-signing-key').toString('base64')}`,
};

export interface BackendPorts {
  accounts?: number;
  content?: number;
  comments?: number;
  weather?: number;
}

export interface Backends {
  accounts: AccountsService;
  content: ContentService;
  comments: Service;
  weather: WeatherService;
  credentials: Credentials;
  /** The environment a gateway needs to use these services. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export type BackendName = 'accounts' | 'content' | 'comments' | 'weather';

export interface BackendOptions {
  credentials?: Partial<Credentials>;
  ports?: BackendPorts;
  weatherRateLimit?: number;
  tokenTtlSeconds?: number;
  accountsMaxAgeSeconds?: number;
  /** Where content and comments post their webhooks, by service. @default where `sendWebhooksTo` says */
  webhookTargets?: { content?: () => string | undefined; comments?: () => string | undefined };
}

export async function startBackends({
  credentials = {},
  ports = {},
  weatherRateLimit,
  tokenTtlSeconds,
  accountsMaxAgeSeconds,
  webhookTargets = {},
}: BackendOptions = {}): Promise<Backends> {
  const creds = { ...DEV_CREDENTIALS, ...credentials };
  const signing = (service: 'content' | 'comments') => ({
    secret: creds.webhookSecret,
    target: webhookTarget(service, webhookTargets[service]),
  });
  const [accounts, content, comments, weather] = await Promise.all([
    startAccounts({ apiKey: creds.accountsApiKey, maxAgeSeconds: accountsMaxAgeSeconds, port: ports.accounts }),
    startContent({
      clientId: creds.contentClientId,
      clientSecret: creds.contentClientSecret,
      tokenTtlSeconds,
      port: ports.content,
      webhooks: signing('content'),
    }),
    startComments({
      user: creds.commentsUser,
      password: creds.commentsPassword,
      port: ports.comments,
      webhooks: signing('comments'),
    }),
    startWeather({ appid: creds.weatherAppid, rateLimit: weatherRateLimit, port: ports.weather }),
  ]);
  const urls = { accounts: accounts.url, content: content.url, comments: comments.url, weather: weather.url };
  return {
    accounts,
    content,
    comments,
    weather,
    credentials: creds,
    env: {
      ...backendEnv('accounts', urls.accounts, creds),
      ...backendEnv('content', urls.content, creds),
      ...backendEnv('comments', urls.comments, creds),
      ...backendEnv('weather', urls.weather, creds),
    },
    close: async () => {
      await Promise.all([accounts.close(), content.close(), comments.close(), weather.close()]);
    },
  };
}

/** The variables that point a gateway at one example service. */
export function backendEnv(name: BackendName, url: string, creds: Credentials): Record<string, string> {
  switch (name) {
    case 'accounts':
      return { ACCOUNTS_URL: url, ACCOUNTS_API_KEY: creds.accountsApiKey };
    case 'content':
      return {
        CONTENT_URL: url,
        CONTENT_CLIENT_ID: creds.contentClientId,
        CONTENT_CLIENT_SECRET: creds.contentClientSecret,
        CONTENT_WEBHOOK_SECRET: creds.webhookSecret,
      };
    case 'comments':
      return {
        COMMENTS_URL: url,
        COMMENTS_USER: creds.commentsUser,
        COMMENTS_PASSWORD: creds.commentsPassword,
        COMMENTS_WEBHOOK_SECRET: creds.webhookSecret,
      };
    case 'weather':
      return { WEATHER_URL: url, WEATHER_APPID: creds.weatherAppid };
  }
}

const STARTERS = {
  accounts: (creds: Credentials) => startAccounts({ apiKey: creds.accountsApiKey }),
  content: (creds: Credentials) =>
    startContent({
      clientId: creds.contentClientId,
      clientSecret: creds.contentClientSecret,
      webhooks: { secret: creds.webhookSecret, target: webhookTarget('content') },
    }),
  comments: (creds: Credentials) =>
    startComments({
      user: creds.commentsUser,
      password: creds.commentsPassword,
      webhooks: { secret: creds.webhookSecret, target: webhookTarget('comments') },
    }),
  weather: (creds: Credentials) => startWeather({ appid: creds.weatherAppid }),
} satisfies Record<BackendName, (creds: Credentials) => Promise<Service>>;

const URL_VARIABLES: Record<BackendName, string> = {
  accounts: 'ACCOUNTS_URL',
  content: 'CONTENT_URL',
  comments: 'COMMENTS_URL',
  weather: 'WEATHER_URL',
};

/**
 * The embedded default: for each example source whose URL variable is unset,
 * starts that service in-process on an ephemeral port with the development
 * credentials and writes its variables into `env`. Returns the started ones.
 */
export async function embedMissingBackends(env: NodeJS.ProcessEnv = process.env): Promise<Service[]> {
  const missing = (Object.keys(URL_VARIABLES) as BackendName[]).filter((name) => !env[URL_VARIABLES[name]]);
  return Promise.all(
    missing.map(async (name) => {
      const service = await STARTERS[name](DEV_CREDENTIALS);
      Object.assign(env, backendEnv(name, service.url, DEV_CREDENTIALS));
      return service;
    }),
  );
}
