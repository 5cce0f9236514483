import { describe, expect, it } from 'vitest';
import { createEventHub, type SourceEvent } from '../../src/events/event-hub.ts';

const event = (n: number, type = 'article.updated', source = 'content'): SourceEvent => ({
  source,
  id: `m${n}`,
  type,
  body: { data: { id: n } },
});

describe('the event hub', () => {
  it('delivers matching events to each subscriber in order, and nothing else', async () => {
    const hub = createEventHub({ queueSize: 10 });
    const all = hub.subscribe({ source: 'content', types: new Set(['article.updated']) });
    const odd = hub.subscribe({
      source: 'content',
      types: new Set(['article.updated']),
      accepts: (e) => (e.body as { data: { id: number } }).data.id % 2 === 1,
    });
    const delivered = [1, 2, 3].map((n) => hub.publish(event(n)));
    hub.publish(event(4, 'article.deleted'));
    hub.publish(event(5, 'article.updated', 'comments'));
    expect(delivered).toEqual([2, 1, 2]);
    expect([(await all.next()).value?.id, (await all.next()).value?.id, (await all.next()).value?.id]).toEqual([
      'm1',
      'm2',
      'm3',
    ]);
    expect([(await odd.next()).value?.id, (await odd.next()).value?.id]).toEqual(['m1', 'm3']);
  });

  it('wakes a waiting reader with the next event', async () => {
    const hub = createEventHub({ queueSize: 1 });
    const subscription = hub.subscribe({ source: 'content', types: new Set(['article.updated']) });
    const next = subscription.next();
    hub.publish(event(1));
    expect((await next).value?.id).toBe('m1');
  });

  it('cuts a subscriber off once it falls a full queue behind, and keeps serving the others', async () => {
    const hub = createEventHub({ queueSize: 3 });
    const slow = hub.subscribe({ source: 'content', types: new Set(['article.updated']) });
    const fast = hub.subscribe({ source: 'content', types: new Set(['article.updated']) });
    const fastSeen: string[] = [];
    for (let n = 1; n <= 5; n++) {
      hub.publish(event(n));
      fastSeen.push(((await fast.next()).value as SourceEvent).id);
    }
    expect(fastSeen).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await expect(slow.next()).rejects.toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(await slow.next()).toEqual({ done: true, value: undefined });
    expect(hub.size()).toBe(1);
  });

  it('ends a read in wait at once when the subscriber leaves', async () => {
    const hub = createEventHub({ queueSize: 3 });
    const subscription = hub.subscribe({ source: 'content', types: new Set(['article.updated']) });
    const pending = subscription.next();
    await subscription.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(hub.size()).toBe(0);
    expect(hub.publish(event(1))).toBe(0);
  });
});
