import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A failure the CLI reports as one line and a non-zero exit. */
export class CliError extends Error {
  override name = 'CliError';
  /** The process exit code: 1 for a failed command, 2 for bad configuration. */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number } = {}) {
    super(message);
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Where `aibridge login` saves the URL and token (mode 0600). */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'aibridge', 'credentials.json');
}

interface SavedCredentials {
  url?: string;
  token?: string;
}

function readSaved(env: NodeJS.ProcessEnv): SavedCredentials {
  try {
    return JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as SavedCredentials;
  } catch {
    return {};
  }
}

/** Saves the URL and token for later commands. */
export function saveCredentials(
  credentials: { url: string; token: string },
  env: NodeJS.ProcessEnv = process.env,
) {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Removes the saved login; returns whether there was one. */
export function forgetCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  const path = credentialsPath(env);
  try {
    rmSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Options every client command takes. */
export interface ClientOptions {
  url?: string;
  token?: string;
}

/** Talks to a running server's HTTP API. */
export class ApiClient {
  readonly url: string;
  readonly #token: string | undefined;

  constructor(input: { url: string; token?: string | undefined }) {
    this.url = input.url.replace(/\/+$/, '');
    this.#token = input.token;
  }

  /** A client from `--url`/`--token`, else AIBRIDGE_URL/AIBRIDGE_TOKEN, else the saved login. */
  static fromOptions(options: ClientOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
    const saved = readSaved(env);
    const url = options.url ?? env.AIBRIDGE_URL ?? saved.url;
    if (!url) throw new CliError('no server URL: pass --url, set AIBRIDGE_URL, or run `aibridge login URL`');
    return new ApiClient({ url, token: options.token ?? env.AIBRIDGE_TOKEN ?? saved.token });
  }

  /** Sends a request and returns the parsed JSON body; throws CliError with the server's message on failure. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.#token ? { 'coder-session-token': this.#token } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the server at ${this.url}: ${cause?.code ?? cause?.message ?? String(error)}`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw new CliError(describeFailure(response.status, parsed, text));
    return parsed as T;
  }
}

function describeFailure(status: number, body: unknown, text: string): string {
  const error = (body ?? {}) as {
    message?: string;
    detail?: string;
    validations?: { field: string; detail: string }[];
  };
  const message = error.message ?? (text.slice(0, 200) || `HTTP ${status}`);
  const validations = (error.validations ?? []).map((entry) => `${entry.field} ${entry.detail}`).join('; ');
  const suffix = validations ? ` (${validations})` : error.detail ? ` (${error.detail})` : '';
  if (status === 401) return `the server refused the token (401): ${message}${suffix}`;
  return `${message}${suffix} [HTTP ${status}]`;
}
