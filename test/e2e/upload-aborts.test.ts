/**
 * Uploads that never finish: a client that goes away mid-file (with and
 * without a Content-Length), a file over the limit, a client that drips
 * until the listener's request timeout cuts it off. Each must leave no
 * spool folder and no open file descriptor behind (a handle on a deleted
 * spool file holds its disk and, repeated, exhausts the process's
 * descriptors), and nothing reaches the source.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Backends, callsTo, resetBackends, startBackends } from '../helpers/backends.ts';
import { type TestGateway, withGateway } from '../helpers/gateway.ts';
import { ownTmpdir } from '../helpers/own-tmpdir.ts';

// Spool folders are counted in a temporary folder of this file's own: uploads of files running beside it are not.
ownTmpdir('upload-aborts');

let backends: Backends;
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => backends.close());
let spooledBefore = new Set<string>();
beforeEach(() => {
  resetBackends(backends);
  spooledBefore = new Set(spoolDirs());
});

const spoolDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('graftql-upload-'));
const newSpools = () => spoolDirs().filter((name) => !spooledBefore.has(name));
/** This process's descriptors open on a spool file (deleted or not). */
function spoolHandles(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes('graftql-upload-')) count += 1;
    } catch {
      // closed between the listing and the look
    }
  }
  return count;
}
/** Whether a spool file has been opened for this test's upload, i.e. the gateway is writing it. */
const spooling = () => newSpools().some((dir) => readdirSync(`${tmpdir()}/${dir}`).length > 0);

const BOUNDARY = 'graftql-test-boundary';
const OPERATIONS = JSON.stringify({
  query: 'mutation ($file: Upload!) { addAttachment(articleId: "Article:1", file: $file) { id } }',
  variables: { file: null },
});
const HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${OPERATIONS}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
);
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** A raw HTTP/1.1 multipart upload of a `fileBytes` file; the caller writes the file's bytes and decides how it ends. */
async function startUpload(
  gateway: TestGateway,
  fileBytes: number,
  framing: 'length' | 'chunked',
): Promise<{ socket: Socket; send(bytes: Buffer): Promise<void>; answer: Promise<string> }> {
  const { port } = new URL(gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  const length =
    framing === 'length' ? `Content-Length: ${HEAD.length + fileBytes + TAIL.length}` : 'Transfer-Encoding: chunked';
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nGraphQL-Require-Preflight: 1\r\n${length}\r\nConnection: close\r\n\r\n`,
  );
  const send = (bytes: Buffer) =>
    new Promise<void>((resolve) => {
      const framed =
        framing === 'chunked'
          ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
          : bytes;
      if (socket.write(framed)) resolve();
      else socket.once('drain', resolve);
    });
  await send(HEAD);
  return { socket, send, answer };
}

async function expectNothingLeft(): Promise<void> {
  await vi.waitFor(
    () => {
      expect(spoolHandles()).toBe(0);
      expect(newSpools()).toEqual([]);
    },
    { timeout: 10_000, interval: 20 },
  );
  expect(callsTo(backends.content.requests, '/articles/1/attachments')).toHaveLength(0);
}

describe('uploads that never finish', () => {
  for (const framing of ['length', 'chunked'] as const) {
    it(`an upload aborted mid-file (${framing === 'length' ? 'Content-Length' : 'chunked'}) closes and removes its spool file`, async () => {
      await withGateway(backends, {}, async (gateway) => {
        for (let round = 0; round < 3; round += 1) {
          const upload = await startUpload(gateway, 8 * 1024 * 1024, framing);
          // Well into the file, and the gateway is writing it, before the client vanishes.
          for (let sent = 0; sent < 3 * 1024 * 1024; sent += 64 * 1024) await upload.send(Buffer.alloc(64 * 1024, 1));
          await vi.waitFor(() => expect(spooling()).toBe(true), { timeout: 10_000, interval: 10 });
          upload.socket.destroy();
          await expectNothingLeft();
        }
        // The gateway still serves.
        expect((await gateway.query('{ article(id: "Article:1") { id } }')).body.data).toEqual({
          article: { id: 'Article:1' },
        });
      });
    });
  }

  it('a file over the limit gets its 413 and leaves nothing open', async () => {
    await withGateway(backends, { limits: { uploads: { maxFileBytes: 100_000 } } }, async (gateway) => {
      const upload = await startUpload(gateway, 1_000_000, 'length');
      for (let sent = 0; sent < 1_000_000; sent += 100_000) await upload.send(Buffer.alloc(100_000, 1));
      await upload.send(TAIL);
      expect(await upload.answer).toMatch(/^HTTP\/1\.1 413 [\s\S]*PAYLOAD_TOO_LARGE/);
      await expectNothingLeft();
    });
  });

  it('a client that drips until the request timeout cuts it off leaves nothing open', async () => {
    await withGateway(
      backends,
      { server: { listener: { headersTimeoutMs: 300, requestTimeoutMs: 300, connectionsCheckingIntervalMs: 50 } } },
      async (gateway) => {
        const upload = await startUpload(gateway, 1_000_000, 'length');
        await upload.send(Buffer.alloc(10_000, 1));
        await vi.waitFor(() => expect(spooling()).toBe(true), { timeout: 10_000, interval: 10 });
        // The listener ends the request; the client never sends the rest.
        await upload.answer;
        await expectNothingLeft();
      },
    );
  });
});
