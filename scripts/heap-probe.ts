/**
 * Preloaded into a soak's gateway (`node --expose-gc --import tsx --import
 * ./scripts/heap-probe.ts`): asked over the IPC channel, it collects garbage
 * and answers with the heap still in use. What survives a full collection is
 * what the gateway holds; its growth across scenarios is a leak, whereas RSS
 * mostly tells how large V8 chose to let the heap grow.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect || !process.send) throw new Error('heap-probe needs --expose-gc and an IPC channel');
process.channel?.unref(); // the probe must not keep a stopping gateway alive
process.on('message', (message) => {
  if (message !== 'heap?') return;
  collect();
  collect();
  process.send?.({ heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024) });
});
