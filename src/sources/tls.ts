/**
 * A source's TLS settings, read and checked at start-up: the CA bundle and
 * client certificate from their files or variables, each PEM parsed, the
 * key decrypted with its passphrase and matched to the certificate. A
 * problem names its config path (`sources.internal.tls.key`); the result is
 * the connect options of that source's undici Agent alone.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { SourceConfig } from '../config/config-schema.ts';

type TlsConfig = NonNullable<SourceConfig['tls']>;
type Pem = NonNullable<TlsConfig['ca']>;

export interface SourceTls {
  /** For the Agent's `connect`. */
  connect: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'servername' | 'minVersion' | 'rejectUnauthorized'>;
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
      problems.push(`${at('key')}: not a PEM private key${tls.passphrase ? ', or the passphrase does not open it' : ' (an encrypted key needs tls.passphrase)'}`);
    }
  }
  if (leaf && key && !leaf.checkPrivateKey(key)) problems.push(`${at('key')}: does not match the certificate in ${at('cert')}`);
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
      warnings: tls.insecureSkipVerify ? [`${at('insecureSkipVerify')}: certificate verification is off for source ${name} (development only)`] : [],
    },
  };
}
