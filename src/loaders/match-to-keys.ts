/**
 * The batch contract (see dataloader's `dispatchBatch`): a batch function
 * returns exactly `keys.length` results, in key order. REST batch endpoints
 * answer in their own order and skip unknown ids, so results are matched to
 * keys by value, never by position, and a missing key gets its own error.
 */
export function matchToKeys<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
  missing: (key: K) => Error,
): Array<V | Error> {
  const byKey = new Map<K, V>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? missing(key));
}
