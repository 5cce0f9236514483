/** The `graftql` command as a shell script sees it: output, and exit codes 0, 1 and 2. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/gateway.ts';
import { servingUrl, spawnCli } from '../helpers/process.ts';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const cli = spawnCli(args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

// Each test starts the command from its sources (tsx) several times: on a machine busy with other work, that takes a while.
describe('graftql', { timeout: 60_000 }, () => {
  it('--version prints the package version; --help the commands and exit codes', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, output: `${version}\n` });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const text of ['serve', 'check', 'schema', 'directives', '--config', '--port', '--example', 'Exit codes'])
      expect(help.output).toContain(text);
    // docs/install.md shows the help as the command prints it.
    expect(readFileSync('docs/install.md', 'utf8')).toContain(`\`\`\`\n${help.output}\`\`\``);
  });

  it('exits 2 on a usage error, naming it', async () => {
    const [command, option, port, argument] = await Promise.all([
      run(['frob']),
      run(['serve', '--frob']),
      run(['serve', '--port', 'eighty']),
      run(['check', 'extra']),
    ]);
    expect(command).toEqual({ code: 2, output: expect.stringContaining('Unknown command "frob"') });
    expect(option).toEqual({ code: 2, output: expect.stringContaining("Unknown option '--frob'") });
    expect(port).toEqual({ code: 2, output: expect.stringContaining('--port: expected a port number') });
    expect(argument).toEqual({ code: 2, output: expect.stringContaining('Unexpected argument "extra"') });
  });

  it('exits 1 when the config file is missing, or what it imports is', async () => {
    expect(await run(['check', '--config', 'no-such.config.ts'])).toEqual({
      code: 1,
      output: expect.stringContaining('No config file at'),
    });
    const broken = await run(['check', '--config', 'test/fixtures/broken-import.config.mjs']);
    expect(broken.code).toBe(1);
    expect(broken.output).toContain('no-such-module.mjs');
    expect(broken.output).not.toContain('No config file at');
  });

  it('serves the example services only when asked: without --example, unset URLs are errors', async () => {
    const { code, output } = await run(['serve'], { PORT: '0' });
    expect(code).toBe(1);
    expect(output).toContain('sources.accounts.url: environment variable ACCOUNTS_URL is not set');
  });

  it("--schema replaces the config's SDL folder, read from the working directory", async () => {
    // The example's SDL against the walkthrough's config: its sources do not exist there.
    const { code, output } = await run([
      'check',
      '--config',
      'examples/placeholder/graftql.config.ts',
      '--schema',
      'schema',
    ]);
    expect(code).toBe(1);
    expect(output).toMatch(/schema\/\w+\.graphql:\d+:\d+: .*source "accounts"/);
  });

  it('--port and --host choose where it serves', async () => {
    const gateway = spawnCli(['serve', '--example', '--port', '0', '--host', '127.0.0.1'], { LOG_LEVEL: 'info' });
    try {
      const url = await servingUrl(gateway);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      expect((await postGraphQL(url, { query: '{ user(id: "User:1") { name } }' })).body.data?.user).toEqual({
        name: expect.any(String),
      });
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });
});
