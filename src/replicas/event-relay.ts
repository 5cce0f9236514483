/**
 * Webhook events to the subscribers of every replica: a replica that
 * verified a delivery hands it to its own subscribers at once, and relays
 * it on a Redis channel; each other replica hands what it hears to its own.
 * Redis pub/sub keeps the order of one publisher's messages, so each
 * replica's subscribers see the events a replica received in the order it
 * received them. A replica that cannot reach Redis still delivers to its own
 * subscribers (counted as a fallback); the others miss that event, as they
 * would any message published while they were away (pub/sub keeps nothing).
 *
 * Not Yoga's Redis event target: subscribers stay on the replica's own hub,
 * whose bounded queues and cut-off of slow readers are the point
 * (events/event-hub.ts); only the relay between hubs crosses Redis.
 */
import type { EventHub, SourceEvent } from '../events/event-hub.ts';
import type { RedisLink } from './redis-link.ts';

const CHANNEL = 'events';

export function relayEvents(hub: EventHub, link: RedisLink, replica: string): Pick<EventHub, 'publish'> {
  link.subscribe(CHANNEL, (message) => {
    let relayed: { replica?: unknown; event?: SourceEvent };
    try {
      relayed = JSON.parse(message) as typeof relayed;
    } catch {
      return;
    }
    const { event } = relayed;
    if (
      relayed.replica === replica ||
      !event ||
      typeof event.source !== 'string' ||
      typeof event.type !== 'string' ||
      typeof event.id !== 'string'
    )
      return;
    hub.publish(event);
  });
  return {
    publish(event) {
      void link.publish('events', CHANNEL, JSON.stringify({ replica, event }));
      return hub.publish(event);
    },
  };
}
