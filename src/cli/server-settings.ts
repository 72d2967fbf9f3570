/** The server's settings as command-line flags, shared by `server` and `server create-admin`. */
import type { Command } from 'commander';
import {
  ConfigError,
  type generalSettingKeys,
  loadConfig,
  type RawSettings,
  settingKeysOf,
} from '../config/load-config.js';
import { providerTypes } from '../providers/index.js';
import { CliError } from './api-client.js';

const generalDescriptions: Record<(typeof generalSettingKeys)[number], string> = {
  listen: 'address to listen on (default 127.0.0.1:8080)',
  data_dir: 'directory of the embedded database (default $XDG_DATA_HOME/aibridge or ~/.local/share/aibridge)',
  database_url: 'PostgreSQL URL; without it the embedded database is used',
  access_url: 'public URL of this server, for printed examples',
  admin_token_file: 'where the first-start owner token is written (default <data-dir>/admin-token)',
  retention: 'purge records older than this, e.g. 60d; 0 keeps forever (default 60d)',
  allow_byok: 'let users send their own provider key (default true)',
  max_body_size: 'largest request body, e.g. 32MiB (default 32MiB)',
  shutdown_grace: 'how long shutdown waits for in-flight requests (default 30s)',
  recorder_queue_size: 'finished interceptions held in memory before the proxy answers 503 (default 20000)',
  log_level: 'fatal, error, warn, info, debug, trace or silent (default info)',
  log_format: 'json, pretty, or auto: pretty on a terminal, else json (default auto)',
  metrics_listen: 'serve Prometheus metrics at http://<address>/metrics, e.g. 127.0.0.1:9464 (default off)',
  otel_endpoint:
    'export OpenTelemetry traces over OTLP/HTTP to this URL (default $OTEL_EXPORTER_OTLP_ENDPOINT, else off)',
  workers:
    'proxy processes sharing the port (default: one per core, at most 8, with --database-url; 1 on the embedded database)',
};

/** Each provider type's default instance settings, described from the registry. */
const descriptions: Record<string, string> = {
  ...generalDescriptions,
  ...Object.fromEntries(
    providerTypes.flatMap(({ type, defaultBaseUrl }) => [
      [`${type}_base_url`, `base URL of the "${type}" provider instance (default ${defaultBaseUrl})`],
      [`${type}_key`, `API key of the "${type}" provider instance, used for every user`],
      [
        `${type}_pass_through`,
        `requests passed through unrecorded besides the ${type} allow-list, e.g. "GET /v1/files,GET /v1/files/{id}"`,
      ],
    ]),
  ),
};
const settingKeys = settingKeysOf(providerTypes);

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
      providerTypes,
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
