import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** Accepted inbound ids: short and header-safe; anything else is replaced. */
const INBOUND_ID = /^[\w.:-]{1,128}$/;

/** The caller's id when it is well-formed, else a new UUID. */
export function acceptedRequestId(inbound: string | null | undefined): string {
  return inbound && INBOUND_ID.test(inbound) ? inbound : randomUUID();
}

/**
 * Gives every HTTP request an id: the caller's `X-Request-Id` when it is
 * well-formed, else a new UUID. Echoed in the response header.
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
