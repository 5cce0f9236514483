import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** Accepted inbound ids: short and header-safe; anything else is replaced. */
const INBOUND_ID = /^[\w.:-]{1,128}$/;

/**
 * New ids are UUID-shaped (what log tools expect): a random prefix drawn once
 * per process, and a counter in the last 12 digits. Unique within the
 * process and, with 72 random bits, across replicas; and a string
 * concatenation per request instead of a random UUID's generation.
 */
const PREFIX = randomUUID().slice(0, 24);
let issued = 0;

/** The caller's id when it is well-formed, else a new one. */
export function acceptedRequestId(inbound: string | null | undefined): string {
  if (inbound && INBOUND_ID.test(inbound)) return inbound;
  issued = (issued + 1) % 0x1000000000000;
  return PREFIX + issued.toString(16).padStart(12, '0');
}

/**
 * Gives every HTTP request an id: the caller's `X-Request-Id` when it is
 * well-formed, else a new one. Echoed in the response header.
 */
export function requestIds() {
  const ids = new WeakMap<Request, string>();
  const idOf = (request: Request): string => {
    let id = ids.get(request);
    if (id === undefined) {
      id = acceptedRequestId(request.headers.get('x-request-id'));
      ids.set(request, id);
    }
    return id;
  };
  const plugin: Plugin = {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', idOf(request));
    },
  };
  return { idOf, plugin };
}
