/** The server's settings as command-line flags, shared by `server` and `server create-admin`. */
import type { Command } from 'commander';
import { ConfigError, loadConfig, type RawSettings, settingKeys } from '../config/load-config.js';
import { CliError } from './api-client.js';

const descriptions: Record<(typeof settingKeys)[number], string> = {
  listen: 'address to listen on (default 127.0.0.1:8080)',
  data_dir: 'directory of the embedded database (default $XDG_DATA_HOME/aibridge or ~/.local/share/aibridge)',
  database_url: 'PostgreSQL URL; without it the embedded database is used',
  access_url: 'public URL of this server, for printed examples',
  openai_base_url: 'OpenAI API base URL (default https://api.openai.com/v1)',
  openai_key: 'OpenAI API key used for every user',
  openai_pass_through:
    'requests passed through unrecorded besides models and Responses reads, e.g. "GET /v1/files,POST /v1/embeddings"',
  anthropic_base_url: 'Anthropic API base URL (default https://api.anthropic.com)',
  anthropic_key: 'Anthropic API key used for every user',
  anthropic_pass_through:
    'requests passed through unrecorded besides models and count_tokens, e.g. "GET /v1/files"',
  admin_token_file: 'where the first-start owner token is written (default <data-dir>/admin-token)',
  retention: 'purge records older than this, e.g. 60d; 0 keeps forever (default 60d)',
  allow_byok: 'let users send their own provider key (default true)',
  max_body_size: 'largest request body, e.g. 32MiB (default 32MiB)',
  shutdown_grace: 'how long shutdown waits for in-flight requests (default 30s)',
  recorder_queue_size: 'record events held in memory before the proxy answers 503 (default 100000)',
  log_level: 'fatal, error, warn, info, debug, trace or silent (default info)',
  log_format: 'json, pretty, or auto: pretty on a terminal, else json (default auto)',
  metrics_listen: 'serve Prometheus metrics at http://<address>/metrics, e.g. 127.0.0.1:9464 (default off)',
  otel_endpoint:
    'export OpenTelemetry traces over OTLP/HTTP to this URL (default $OTEL_EXPORTER_OTLP_ENDPOINT, else off)',
};

/** Reads the server's configuration from flags, env and file; a bad value is one line and exit code 2. */
export function configFromOptions(options: Record<string, string | undefined>) {
  const flags: RawSettings = {};
  for (const key of settingKeys) {
    const camel = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    const value = options[camel];
    if (value !== undefined) flags[key] = value;
  }
  try {
    return loadConfig({
      flags,
      env: process.env,
      ...(options.config ? { configPath: options.config } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, { exitCode: 2 });
    throw error;
  }
}

/** Adds `--config` and one flag per setting. */
export function withServerSettings(command: Command): Command {
  command.option('--config <path>', 'YAML config file (env AIBRIDGE_CONFIG)');
  for (const key of settingKeys) {
    const flag = key.replaceAll('_', '-');
    command.option(`--${flag} <value>`, `${descriptions[key]} (env AIBRIDGE_${key.toUpperCase()})`);
  }
  return command;
}
