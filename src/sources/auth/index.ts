import type { Dispatcher } from 'undici';
import type { AuthConfig } from '../../config/config-schema.ts';
import type { BaseUrl } from '../url.ts';
import { oauth2ClientCredentials } from './oauth2-client-credentials.ts';
import { sessionLogin } from './session-login.ts';
import { staticAuth } from './static-auth.ts';
import type { SourceAuth } from './types.ts';

export type { OutgoingCredentials, SourceAuth } from './types.ts';

const NO_AUTH: SourceAuth = { secrets: [], apply: () => {} };

export function createSourceAuth(
  config: AuthConfig | undefined,
  context: { source: string; base: BaseUrl; dispatcher: Dispatcher; timeoutMs: number; now: () => number },
): SourceAuth {
  if (!config) return NO_AUTH;
  if (config.type === 'oauth2ClientCredentials') return oauth2ClientCredentials(config, context);
  if (config.type === 'login') return sessionLogin(config, context);
  return staticAuth(config);
}
