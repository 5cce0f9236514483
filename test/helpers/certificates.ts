/**
 * Certificates made at run time with openssl, in a temporary folder: a
 * private CA, server certificates for 127.0.0.1 (good, expired, for another
 * host name), a client certificate, and an encrypted copy of its key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificates {
  dir: string;
  ca: { cert: string; file: string };
  server: { cert: string; key: string };
  expired: { cert: string; key: string };
  otherHost: { cert: string; key: string };
  client: { cert: string; key: string; encryptedKey: string; passphrase: string };
  /** A second CA, unrelated to the first. */
  strangerCa: { cert: string };
  remove(): void;
}

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
[ server ]
subjectAltName = IP:127.0.0.1, DNS:localhost
extendedKeyUsage = serverAuth
[ other ]
subjectAltName = DNS:other.example
extendedKeyUsage = serverAuth
[ client ]
extendedKeyUsage = clientAuth
`;

export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'graftql-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=GraftQL Test CA',
  );
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Someone Else CA',
  );
  const leaf = (name: string, extensions: string, start: string, end: string) => {
    openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-extensions',
      extensions,
      '-startdate',
      start,
      '-enddate',
      end,
      '-notext',
    );
    return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
  };
  const now = new Date();
  const stamp = (date: Date) => `${date.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
  const from = stamp(new Date(now.getTime() - 86_400_000));
  const until = stamp(new Date(now.getTime() + 2 * 86_400_000));
  const server = leaf('server', 'server', from, until);
  const expired = leaf('expired', 'server', '20200101000000Z', '20200102000000Z');
  const otherHost = leaf('other', 'other', from, until);
  const client = leaf('client', 'client', from, until);
  const passphrase = 'correct horse';
  openssl(
    'pkcs8',
    '-topk8',
    '-in',
    'client.key',
    '-out',
    'client-encrypted.key',
    '-v2',
    'aes-256-cbc',
    '-passout',
    `pass:${passphrase}`,
  );
  return {
    dir,
    ca: { cert: read('ca.crt'), file: join(dir, 'ca.crt') },
    server,
    expired,
    otherHost,
    client: { ...client, encryptedKey: read('client-encrypted.key'), passphrase },
    strangerCa: { cert: read('stranger.crt') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
