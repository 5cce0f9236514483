import type { AuthConfig } from '../../config/config-schema.ts';
import type { SourceAuth } from './types.ts';

type StaticAuthConfig = Extract<AuthConfig, { type: 'apiKey' | 'bearer' | 'basic' }>;

/** API key (header or query), static bearer token, or HTTP Basic. */
export function staticAuth(config: StaticAuthConfig): SourceAuth {
  switch (config.type) {
    case 'apiKey': {
      const key = config.key.reveal();
      const name = config.in === 'header' ? config.name.toLowerCase() : config.name;
      return {
        secrets: [key],
        apply: (outgoing) => {
          if (config.in === 'header') outgoing.headers[name] = key;
          else outgoing.query[name] = key;
        },
      };
    }
    case 'bearer': {
      const token = config.token.reveal();
      return { secrets: [token], apply: (outgoing) => void (outgoing.headers.authorization = `Bearer ${token}`) };
    }
    case 'basic': {
      const user = config.username.reveal();
      const password = config.password.reveal();
      const encoded = Buffer.from(`${user}:${password}`).toString('base64');
      return {
        secrets: [password, encoded],
        apply: (outgoing) => void (outgoing.headers.authorization = `Basic ${encoded}`),
      };
    }
  }
}
