/**
 * At most `max` calls in flight at once; the others wait their turn, in
 * order. p-limit does the same, but costs five promises and two microtask
 * turns per call even under its limit, and this sits on the path of every
 * single read a request makes; here a call under the limit starts at once.
 */
export function callLimiter(max: number): <T>(call: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  // A finished call hands its slot to the first waiter, so no newcomer can slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const run = <T>(call: () => Promise<T>): Promise<T> => {
    const running = call();
    running.then(release, release);
    return running;
  };
  return (call) => {
    if (active < max) {
      active++;
      return run(call);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => run(call));
  };
}
