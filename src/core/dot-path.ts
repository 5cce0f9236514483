/** Dot paths into upstream JSON (`main.feels_like` as ['main', 'feels_like']), read safely. */

export type DotPath = readonly string[];

/** The value at `path`: own properties and array indexes only (a `__proto__` key reads nothing). */
export function read(value: unknown, path: DotPath): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
