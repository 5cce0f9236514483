// The answers every way of running the consumer's graph must give.
import { deepStrictEqual } from 'node:assert';

export async function queryAndCheck(url) {
  const post = async (query) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return response.json();
  };
  deepStrictEqual(await post('{ user(id: "1") { id name } }'), { data: { user: { id: '1', name: 'Ada Lovelace' } } });
  const missing = await post('{ secret }');
  // The config's notFound() is recognised by the gateway: one GraftQL instance, however each side loaded it.
  deepStrictEqual([missing.data, missing.errors?.[0]?.extensions?.code], [{ secret: null }, 'NOT_FOUND']);
}
