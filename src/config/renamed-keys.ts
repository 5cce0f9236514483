/**
 * Config keys renamed since they were first released: the old spelling is
 * still accepted, moved to the new key with a deprecation warning that names
 * it. Giving both is an error (which one was meant is not ours to guess).
 */

/** Old dotted path -> new dotted path, both under the same parent. */
export const RENAMED_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['cache.maxAnswerBytes', 'cache.maxResultBytes'],
];

export interface Renamed<T> {
  input: T;
  /** One sentence per old key found, naming the new one. */
  deprecations: string[];
  /** Both spellings of a key were given. */
  problems: string[];
}

export function renameDeprecatedKeys<T extends object>(input: T): Renamed<T> {
  const deprecations: string[] = [];
  const problems: string[] = [];
  let renamed: Record<string, unknown> = input as Record<string, unknown>;
  for (const [old, current] of RENAMED_KEYS) {
    const parentPath = old.split('.').slice(0, -1);
    const oldName = old.split('.').at(-1) as string;
    const newName = current.split('.').at(-1) as string;
    const parent = parentPath.reduce<unknown>((value, name) => (isRecord(value) ? value[name] : undefined), renamed);
    if (!isRecord(parent) || !(oldName in parent)) continue;
    if (newName in parent) {
      problems.push(`${old}: renamed ${current}; give only ${current}`);
      continue;
    }
    deprecations.push(`${old} is deprecated: it is now ${current} (the old key still works, for now).`);
    const { [oldName]: value, ...rest } = parent;
    renamed = withAt(renamed, parentPath, { ...rest, [newName]: value });
  }
  return { input: renamed as T, deprecations, problems };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `root` with `value` at `path`: the caller's object is never changed. */
function withAt(
  root: Record<string, unknown>,
  path: readonly string[],
  value: Record<string, unknown>,
): Record<string, unknown> {
  const [first, ...rest] = path;
  if (first === undefined) return value;
  return { ...root, [first]: withAt(root[first] as Record<string, unknown>, rest, value) };
}
