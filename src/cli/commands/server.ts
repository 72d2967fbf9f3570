import { Command } from 'commander';
import {
  ConfigError,
  type generalSettingKeys,
  loadConfig,
  type RawSettings,
  settingKeysOf,
} from '../../config/load-config.js';
import { providerTypes } from '../../providers/index.js';

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
  recorder_queue_size: 'record events held in memory before the proxy answers 503 (default 100000)',
  log_level: 'fatal, error, warn, info, debug, trace or silent (default info)',
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

/** `aibridge server`: runs the bridge until SIGTERM or SIGINT. */
export function serverCommand(): Command {
  const command = new Command('server')
    .description('run the AI Bridge server (embedded database unless --database-url is given)')
    .option('--config <path>', 'YAML config file (env AIBRIDGE_CONFIG)');
  for (const key of settingKeys) {
    const flag = key.replaceAll('_', '-');
    command.option(`--${flag} <value>`, `${descriptions[key]} (env AIBRIDGE_${key.toUpperCase()})`);
  }
  command.action(async (options: Record<string, string | undefined>) => {
    const flags: RawSettings = {};
    for (const key of settingKeys) {
      const camel = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
      const value = options[camel];
      if (value !== undefined) flags[key] = value;
    }
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({
        providerTypes,
        flags,
        env: process.env,
        ...(options.config ? { configPath: options.config } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`aibridge: ${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    // Loaded here so that client commands do not pay for the server's modules at start-up.
    const { createLogger } = await import('../../server/logger.js');
    const { runServer } = await import('../../server/run-server.js');
    const logger = createLogger({ level: config.logLevel });
    const { EmbeddedDatabaseInUseError } = await import('../../store/open-embedded.js');
    const server = await runServer({ config, logger }).catch((error: unknown) => {
      if (error instanceof EmbeddedDatabaseInUseError) {
        process.stderr.write(`aibridge: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    });
    if (server.adminToken) {
      process.stderr.write(
        `\nCreated the owner "admin". Its token (shown once; saved to ${config.adminTokenFile}):\n\n  ${server.adminToken}\n\n` +
          `Point clients at ${config.accessUrl}:\n` +
          `  Claude Code: ANTHROPIC_BASE_URL=${config.accessUrl}/api/v2/aibridge/anthropic ANTHROPIC_AUTH_TOKEN=<token>\n` +
          `  Codex / OpenAI SDK: OPENAI_BASE_URL=${config.accessUrl}/api/v2/aibridge/openai/v1 OPENAI_API_KEY=<token>\n\n`,
      );
    }
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return command;
}
