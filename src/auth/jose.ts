/**
 * jose, loaded on the first token to verify: it is an ES module only, and
 * the CommonJS build cannot require() it on Node before 20.19 (the same
 * reason oauth4webapi is loaded so in sources/auth). A gateway without
 * `auth` never loads it.
 */
let loading: Promise<typeof import('jose')> | undefined;

export function loadJose(): Promise<typeof import('jose')> {
  loading ??= import('jose');
  return loading;
}
