/**
 * A source's TLS, in one place: its settings read and checked at start-up,
 * the connector of its undici Agent, and the failures it reports.
 *
 * The settings: the CA bundle and
 * client certificate from their files or variables, each PEM parsed, the
 * key decrypted with its passphrase and matched to the certificate. A
 * problem names its config path (`sources.internal.tls.key`); the result is
 * the connect options of that source's undici Agent alone.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import type { SourceConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/resolve-config.ts';
import { HTTP2_REFUSED } from './upstream-errors.ts';

type TlsConfig = NonNullable<SourceConfig['tls']>;
type Pem = NonNullable<TlsConfig['ca']>;

export interface SourceTls {
  /** For the Agent's `connect`. */
  connect: Pick<
    ConnectionOptions,
    'ca' | 'cert' | 'key' | 'passphrase' | 'servername' | 'minVersion' | 'rejectUnauthorized'
  >;
  /** What an operator should know (verification off). */
  warnings: string[];
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The source's TLS, or the problems with it (each naming its config path). */
export function sourceTls(name: string, tls: TlsConfig, baseDir: string): { tls?: SourceTls; problems: string[] } {
  const problems: string[] = [];
  const at = (field: string) => `sources.${name}.tls.${field}`;
  const text = (field: string, pem: Pem): string | undefined => {
    if ('text' in pem) return pem.text;
    try {
      return readFileSync(resolve(baseDir, pem.file), 'utf8');
    } catch (error) {
      problems.push(`${at(field)}: cannot read ${pem.file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return undefined;
    }
  };
  const certificates = (field: string, pem: string | undefined): X509Certificate[] | undefined => {
    if (pem === undefined) return undefined;
    const blocks = pem.match(CERTIFICATE) ?? [];
    if (blocks.length === 0) {
      problems.push(`${at(field)}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it`);
      return undefined;
    }
    try {
      return blocks.map((block) => new X509Certificate(block));
    } catch {
      problems.push(`${at(field)}: a certificate in it does not parse`);
      return undefined;
    }
  };

  const ca = tls.ca && text('ca', tls.ca);
  certificates('ca', ca);
  const cert = tls.cert && text('cert', tls.cert);
  const [leaf] = certificates('cert', cert) ?? [];
  let key: KeyObject | undefined;
  if (tls.key) {
    try {
      key = createPrivateKey({ key: tls.key.reveal(), passphrase: tls.passphrase?.reveal() });
    } catch {
      problems.push(
        `${at('key')}: not a PEM private key${tls.passphrase ? ', or the passphrase does not open it' : ' (an encrypted key needs tls.passphrase)'}`,
      );
    }
  }
  if (leaf && key && !leaf.checkPrivateKey(key))
    problems.push(`${at('key')}: does not match the certificate in ${at('cert')}`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    tls: {
      connect: {
        ...(ca !== undefined && { ca }),
        ...(cert !== undefined && { cert }),
        ...(key && { key: key.export({ type: 'pkcs8', format: 'pem' }) as string }),
        ...(tls.servername !== undefined && { servername: tls.servername }),
        minVersion: tls.minVersion,
        rejectUnauthorized: !tls.insecureSkipVerify,
      },
      warnings: tls.insecureSkipVerify
        ? [`${at('insecureSkipVerify')}: certificate verification is off for source ${name} (development only)`]
        : [],
    },
  };
}

/** Each https source's TLS connect options, checked (a ConfigError lists every problem), and the warnings to log and show on /readyz. */
export function tlsOfSources(
  sources: Readonly<Record<string, SourceConfig>>,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
): { bySource: Record<string, SourceTls['connect']>; warnings: string[] } {
  const bySource: Record<string, SourceTls['connect']> = {};
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const [name, source] of Object.entries(sources)) {
    if (!source.tls) continue;
    const resolved = sourceTls(name, source.tls, baseDir);
    problems.push(...resolved.problems);
    if (resolved.tls) {
      bySource[name] = resolved.tls.connect;
      warnings.push(...resolved.tls.warnings);
    }
  }
  if (problems.length > 0)
    throw new ConfigError(`Invalid GraftQL configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  // Refused in production by the config schema; here, said out loud.
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0')
    warnings.push(
      'NODE_TLS_REJECT_UNAUTHORIZED=0: certificate verification is off for every source (development only)',
    );
  return { bySource, warnings };
}

export type ConnectorOptions = buildConnector.BuildOptions & {
  /** HTTP/2 over plain http (prior knowledge): read by undici's buildConnector, missing from its types. */
  useH2c?: boolean;
  /** `sources.<name>.http2: true` over https: a connection the server did not agree to HTTP/2 on (ALPN) fails. */
  requireHttp2?: boolean;
  /** Told what each new connection agreed to in its handshake (ALPN: 'h2', 'http/1.1', or false), before undici takes it. */
  onConnected?(protocol: string | false): void;
};

/**
 * undici reports a connection the server closed right after a TLS 1.3
 * alert (a client certificate it wanted and did not get, or refused) as
 * "other side closed"; the socket itself saw the alert. The connector
 * notes the last alert its sockets saw, and `explain` puts it in place of
 * such an error when it is recent.
 */
export function tlsConnector({ requireHttp2 = false, onConnected, ...options }: ConnectorOptions): {
  connect: buildConnector.connector;
  explain(error: unknown): unknown;
} {
  const base = buildConnector(options);
  const RECENT_MS = 1_000;
  let last: { error: Error; at: number } | undefined;
  return {
    connect: (options, callback) =>
      base(options, (error, socket) => {
        const answer = callback as (error: Error | null, socket: unknown) => void;
        const protocol = (socket as { alpnProtocol?: string | false } | null)?.alpnProtocol ?? false;
        // undici offers HTTP/1.1 beside h2 and falls back to it; `http2: true` does not. (undici marks h2c sockets 'h2'.)
        if (socket && requireHttp2 && protocol !== 'h2') {
          socket.destroy();
          const refused = Object.assign(new Error('The server did not pick HTTP/2 (ALPN).'), { code: HTTP2_REFUSED });
          return answer(refused, null);
        }
        if (socket) onConnected?.(protocol);
        socket?.prependListener('error', (socketError: NodeJS.ErrnoException) => {
          if (socketError.code?.startsWith('ERR_SSL_')) last = { error: socketError, at: performance.now() };
        });
        answer(error, socket);
      }),
    explain(error) {
      const closed = (error as { code?: unknown } | null)?.code === 'UND_ERR_SOCKET';
      if (!closed || !last || performance.now() - last.at > RECENT_MS) return error;
      const alert = last.error;
      last = undefined;
      return alert;
    },
  };
}
