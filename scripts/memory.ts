/**
 * The memory of a soak's gateway, measured the same way by both soaks.
 * A heap grows to its working size under new load and V8 keeps it, so RSS
 * cannot tell a plateau from a leak; the heap that survives a full collection
 * (scripts/heap-probe.ts) can, and so can RSS growth once settled.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Node arguments that preload the heap probe into a gateway spawned with an 'ipc' stdio entry. */
export const HEAP_PROBE_ARGS = ['--expose-gc', '--import', 'tsx', '--import', './scripts/heap-probe.ts'];

/** The gateway's heap after two full collections, in MB. */
export function retainedHeapMb(gateway: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the heap probe did not answer in 10 s')), 10_000);
    gateway.once('message', (answer) => {
      clearTimeout(timer);
      resolve((answer as { heapUsedMb: number }).heapUsedMb);
    });
    gateway.send('heap?');
  });
}

export function rssMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0; // the process has exited; the soak reports that on its own
  }
}

/** Samples `pid`'s RSS once a second until the returned stop() is called. */
export function sampleRss(pid: number | undefined): { samples: number[]; stop: () => void } {
  const samples = [rssMb(pid)];
  const timer = setInterval(() => samples.push(rssMb(pid)), 1_000);
  return { samples, stop: () => clearInterval(timer) };
}

/** Growth of RSS over a phase, past its first third: mean of the last third of the rest minus mean of its first third. */
export function rssGrowthMb(samples: number[]): number {
  const settled = samples.slice(Math.floor(samples.length / 3));
  const third = Math.max(1, Math.floor(settled.length / 3));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return Math.round(mean(settled.slice(-third)) - mean(settled.slice(0, third)));
}
