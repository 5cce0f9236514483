import { type ChildProcess, spawn } from 'node:child_process';

export interface GatewayProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `graftql serve --example` (what `npm start` runs) in a child process with exactly `env`. */
export function spawnMain(env: Record<string, string>): GatewayProcess {
  return spawnCli(['serve', '--example'], env);
}

/** Runs the `graftql` command from its sources (as `npm start` and `npm run check` do) with `args` and exactly `env`. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until the gateway logs that it serves, and returns its GraphQL URL. */
export async function servingUrl(gateway: GatewayProcess, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(gateway.output());
    if (match?.[1]) return match[1];
    if (gateway.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway did not start:\n${gateway.output()}`);
}
