/**
 * The in-process event hub: verified webhook events in, one bounded queue
 * per subscriber out. Delivery is synchronous and in arrival order; a
 * subscriber whose queue is full when an event arrives is cut off (its next
 * read throws SUBSCRIBER_TOO_SLOW) instead of holding events without bound.
 *
 * Hand-written rather than Yoga's `createPubSub` (a Repeater per subscriber
 * with an unbounded buffer) or Node's `events.on` (unbounded too): the bound
 * and the cut-off are the point.
 */
import { GraftError } from '../errors.ts';

export interface SourceEvent {
  source: string;
  /** The delivery id the source gave it. */
  id: string;
  type: string;
  /** The event as the source sent it, parsed JSON. */
  body: unknown;
}

export interface EventFilter {
  source: string;
  types: ReadonlySet<string>;
  /** Further conditions (a subscription's arguments). */
  accepts?(event: SourceEvent): boolean;
}

export interface EventHub {
  /** Hands the event to every matching subscriber; returns how many. */
  publish(event: SourceEvent): number;
  /** Events matching the filter from now on, until `return()`; at most `queueSize` unread. */
  subscribe(filter: EventFilter): AsyncIterableIterator<SourceEvent>;
  /** Subscribers now. */
  size(): number;
  /** Ends every subscription (their streams complete): for a shutdown, which would otherwise wait for them. */
  endAll(): void;
}

interface Subscriber {
  filter: EventFilter;
  queue: SourceEvent[];
  /** The read waiting for the next event. */
  waiting?: (result: IteratorResult<SourceEvent>) => void;
  overflowed: boolean;
  done: boolean;
}

const DONE: IteratorResult<SourceEvent> = { done: true, value: undefined };

export function createEventHub({ queueSize }: { queueSize: number }): EventHub {
  const subscribers = new Set<Subscriber>();

  const tooSlow = () =>
    new GraftError(
      'SUBSCRIBER_TOO_SLOW',
      `The subscriber fell ${queueSize} events behind and was cut off; subscribe again to resume.`,
      { facts: { limit: queueSize } },
    );

  function end(subscriber: Subscriber): void {
    subscriber.done = true;
    subscriber.queue.length = 0;
    subscribers.delete(subscriber);
  }

  return {
    publish(event) {
      let delivered = 0;
      for (const subscriber of subscribers) {
        const { filter } = subscriber;
        if (
          filter.source !== event.source ||
          !filter.types.has(event.type) ||
          (filter.accepts && !filter.accepts(event))
        )
          continue;
        delivered += 1;
        if (subscriber.waiting) {
          const wake = subscriber.waiting;
          subscriber.waiting = undefined;
          wake({ done: false, value: event });
        } else if (subscriber.queue.length < queueSize) {
          subscriber.queue.push(event);
        } else {
          subscriber.overflowed = true;
          end(subscriber);
        }
      }
      return delivered;
    },

    subscribe(filter) {
      const subscriber: Subscriber = { filter, queue: [], overflowed: false, done: false };
      subscribers.add(subscriber);
      const iterator: AsyncIterableIterator<SourceEvent> = {
        next() {
          const queued = subscriber.queue.shift();
          if (queued) return Promise.resolve({ done: false, value: queued });
          if (subscriber.overflowed) {
            subscriber.overflowed = false;
            return Promise.reject(tooSlow());
          }
          if (subscriber.done) return Promise.resolve(DONE);
          return new Promise((resolve) => {
            subscriber.waiting = resolve;
          });
        },
        // Ends at once, a read in wait included: a client that leaves a quiet subscription frees it now, not at the next event.
        return() {
          const wake = subscriber.waiting;
          subscriber.waiting = undefined;
          end(subscriber);
          wake?.(DONE);
          return Promise.resolve(DONE);
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    size: () => subscribers.size,

    endAll() {
      for (const subscriber of [...subscribers]) {
        const wake = subscriber.waiting;
        subscriber.waiting = undefined;
        end(subscriber);
        wake?.(DONE);
      }
    },
  };
}
