/**
 * A gateway in a child process, as `npm start` runs it, in production mode
 * and with the heap probe preloaded (scripts/heap-probe.ts), for the soaks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { HEAP_PROBE_ARGS } from './memory.ts';

export async function startProbedGateway(env: Record<string, string>): Promise<{ gateway: ChildProcess; url: string }> {
  const gateway = spawn(process.execPath, [...HEAP_PROBE_ARGS, 'src/cli/main.ts', 'serve'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  // Keep reading (a full pipe would stall the gateway's logger), keep only the start.
  gateway.stdout?.on('data', (chunk: Buffer) => {
    if (output.length < 4096) output += chunk.toString();
  });
  for (let i = 0; i < 300; i++) {
    const url = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(output)?.[1];
    if (url) return { gateway, url };
    if (gateway.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  gateway.kill();
  throw new Error(`the gateway did not start:\n${output}`);
}
