/**
 * The rows of a field's answers mapped to its type, once per answer: a
 * cached list (the same array while it is fresh) is mapped, and grouped by
 * batch key, only the first time a request reads it.
 */
import type { RowMapping } from '../batch.ts';
import type { RecordMappers } from '../records.ts';

export function rowMapping(mapRow: (raw: unknown, where: string) => unknown, mappers: RecordMappers): RowMapping {
  const lists = new WeakMap<readonly unknown[], readonly unknown[]>();
  const groups = new WeakMap<readonly unknown[], Map<string, ReadonlyMap<string, readonly unknown[]>>>();
  return {
    map: (item, where) => mapRow(item, where),
    mapList(items, where) {
      let mapped = lists.get(items);
      if (!mapped) lists.set(items, (mapped = items.map((item, index) => mapRow(item, `${where}.${index}`))));
      return mapped;
    },
    groupList(items, where, match) {
      let byMatch = groups.get(items);
      if (!byMatch) groups.set(items, (byMatch = new Map()));
      let grouped = byMatch.get(match);
      if (!grouped) {
        const made = new Map<string, unknown[]>();
        for (const item of items) {
          const mapped = mapRow(item, where);
          const key = String(mappers.upstreamOf(mapped, match));
          const group = made.get(key);
          if (group) group.push(mapped);
          else made.set(key, [mapped]);
        }
        byMatch.set(match, (grouped = made));
      }
      return grouped;
    },
    keyOf: (mapped, match) => mappers.upstreamOf(mapped, match),
  };
}
