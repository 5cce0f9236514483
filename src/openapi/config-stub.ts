import type { OpenApiDocument } from './document.ts';
import type { ImportReport } from './import-report.ts';
import { words } from './names.ts';

/** The source's entry for graftql.config.ts: its URL and auth from the environment. */
export function configStub(api: OpenApiDocument, source: string, snake: boolean, report: ImportReport): string {
  const prefix = words(source).join('_').toUpperCase();
  const schemes = api.components?.securitySchemes ?? {};
  const used = Object.keys(api.security?.[0] ?? {})[0] ?? Object.keys(schemes)[0];
  const scheme = used ? schemes[used] : undefined;
  let auth = '';
  if (scheme?.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query'))
    auth = `auth: { type: 'apiKey', in: '${scheme.in}', name: '${String(scheme.name)}', key: { env: '${prefix}_API_KEY' } },`;
  else if (scheme?.type === 'http' && scheme.scheme === 'bearer')
    auth = `auth: { type: 'bearer', token: { env: '${prefix}_TOKEN' } },`;
  else if (scheme?.type === 'http' && scheme.scheme === 'basic')
    auth = `auth: { type: 'basic', username: { env: '${prefix}_USER' }, password: { env: '${prefix}_PASSWORD' } },`;
  else if (
    scheme?.type === 'oauth2' &&
    (scheme.flows as { clientCredentials?: { tokenUrl?: string } } | undefined)?.clientCredentials
  ) {
    const tokenUrl =
      (scheme.flows as { clientCredentials: { tokenUrl?: string } }).clientCredentials.tokenUrl ?? '/oauth/token';
    auth = `auth: { type: 'oauth2ClientCredentials', tokenPath: '${tokenUrl.startsWith('/') ? tokenUrl : new URL(tokenUrl).pathname}', clientId: { env: '${prefix}_CLIENT_ID' }, clientSecret: { env: '${prefix}_CLIENT_SECRET' } },`;
  } else if (scheme?.type === 'oauth2' || scheme?.type === 'openIdConnect' || scheme?.type === 'http') {
    // A user's token (authorization code, implicit, OpenID Connect) or another HTTP scheme: a token from the environment.
    auth = `auth: { type: 'bearer', token: { env: '${prefix}_TOKEN' } },`;
    report.guesses.push(
      `security scheme ${used} (${String(scheme.type)}${scheme.type === 'http' ? ` ${String(scheme.scheme)}` : ''}): a token from ${prefix}_TOKEN; to send each caller's own, use sources.${source}.forwardCaller or forwardHeaders (docs/auth.md)`,
    );
  } else if (scheme)
    report.guesses.push(
      `security scheme ${used} (${String(scheme.type)}): not mapped; configure sources.${source}.auth yourself`,
    );
  const server = api.servers?.[0]?.url;
  return [
    `${source}: {`,
    `  url: { env: '${prefix}_URL' },${server ? ` // the document's server: ${server}` : ''}`,
    ...(auth ? [`  ${auth}`] : []),
    ...(snake ? [`  naming: 'snake_case',`] : []),
    '},',
  ].join('\n');
}
