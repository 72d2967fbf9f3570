/** Child processes of the benchmark: the fake provider, bridges, Portkey; and their memory. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A child process with its base URL. */
export interface Child {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Newest modification time of the files below a directory. */
function newestChange(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The bridge's entry point as users run it, the compiled `dist/cli/bin.js`, compiled first when `src/` changed
 * since. Not through a TypeScript loader: tsx wraps every function it loads in a naming helper that runs
 * again for each closure created per request, which cost about 5 % of the bridge's CPU per request at
 * c=32 (BENCHMARKS.md, "Batches taken at most every 20 ms").
 */
function builtEntry(root: string): string {
  const entry = join(root, 'dist', 'cli', 'bin.js');
  if (!existsSync(entry) || newestChange(join(root, 'src')) > statSync(entry).mtimeMs) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
  return entry;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function track(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers (any status) or the child exits. */
async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early: ${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer from ${url}: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Starts a TypeScript entry of `bench/proxy/` that prints its URL on its first line of output. */
async function startPrinting(script: string, args: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/proxy/${script}`, ...args], {
    cwd: repositoryRoot,
  });
  const output = track(child);
  const [first] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const url = first.toString().trim();
  return { url, process: child, output, stop: () => stopChild(child) };
}

/** Starts the fake provider in a child process. */
export function startFakeProvider(): Promise<Child> {
  return startPrinting('fake-server.ts');
}

/** Starts the minimal reference relay in front of `upstreamBaseUrl` (e.g. `http://…/v1`). */
export function startMinimalRelay(upstreamBaseUrl: string): Promise<Child> {
  return startPrinting('minimal-relay.ts', [upstreamBaseUrl]);
}

/**
 * The arguments of a recording bridge in front of the fake provider, as every benchmark starts one: its
 * data directory and owner token file, PostgreSQL when a URL is given (else PGlite), the central OpenAI key,
 * no retention purge, and one process unless `workers` says more (`npm run bench:workers` measures more).
 */
export function recordingBridgeArgs(input: {
  dataDir: string;
  tokenFile: string;
  fakeUrl: string;
  databaseUrl?: string | null;
  workers?: number | string;
}): string[] {
  return [
    ...['--data-dir', input.dataDir, '--admin-token-file', input.tokenFile],
    ...(input.databaseUrl ? ['--database-url', input.databaseUrl] : []),
    ...['--openai-base-url', `${input.fakeUrl}/v1`, '--openai-key', 'sk-bench-central-0000'],
    ...['--retention', '0', '--workers', String(input.workers ?? 1)],
  ];
}

/** Node's own flags for every bridge a benchmark starts (space-separated), e.g. `--liftoff-only`. */
const benchNodeFlags = (process.env.AIBRIDGE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * Starts `aibridge server` from the sources; `args` add to the listen address, `env` to the environment.
 * `startedMs` is the time from spawn until /healthz answered.
 */
export async function startBridge(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** Another checkout to run the bridge from (an A/B against an earlier version). */
  root = repositoryRoot,
  /** Node's flags for this bridge, after those of AIBRIDGE_BENCH_NODE_FLAGS. */
  nodeFlags: string[] = [],
): Promise<Child & { startedMs: number }> {
  const spawned = performance.now();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...benchNodeFlags,
      ...nodeFlags,
      builtEntry(root),
      'server',
      '--listen',
      `127.0.0.1:${port}`,
      '--log-level',
      'warn',
      ...args,
    ],
    {
      cwd: root,
      env: { ...process.env, ...env },
      ...(process.env.AIBRIDGE_BENCH_OWN_SESSION === '1' ? { detached: true } : {}),
    },
  );
  const output = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, output);
  const startedMs = performance.now() - spawned;
  return { url, process: child, output, stop: () => stopChild(child), startedMs };
}

/**
 * The owner's token a bridge started with `--admin-token-file` writes once it listens, just after
 * /healthz first answers (which is when {@link startBridge} returns): waited for, at most 30 s.
 */
export async function ownerToken(tokenFile: string): Promise<string> {
  const deadline = performance.now() + 30_000;
  while (!existsSync(tokenFile)) {
    if (performance.now() > deadline) throw new Error(`no owner token in ${tokenFile} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return readFileSync(tokenFile, 'utf8').trim();
}

/** Starts a Node script (Portkey) listening on `port`. */
export async function startScript(input: { cwd: string; args: string[]; port: number }): Promise<Child> {
  const child = spawn(process.execPath, input.args, { cwd: input.cwd });
  const output = track(child);
  const url = `http://127.0.0.1:${input.port}`;
  await waitForHttp(url, child, output);
  return { url, process: child, output, stop: () => stopChild(child) };
}

/**
 * CPU seconds (user + system, all threads) a process has used, from Linux `/proc` (clock ticks of 1/100 s);
 * 0 when it cannot be read (gone, or not Linux).
 */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident and peak resident memory of a process in MiB (Linux `/proc`), or null elsewhere. */
export function memoryOf(pid: number | undefined): { rss: number; peak: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return null;
  }
}
