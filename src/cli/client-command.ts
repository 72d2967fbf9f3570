import { type Command, Option } from 'commander';
import { ApiClient } from './api-client.js';
import { type OutputFormat, parseOutputFormat } from './output.js';

/** The options every command that talks to a server takes. */
export interface ClientCommandOptions {
  url?: string;
  token?: string;
  output: OutputFormat;
}

/** Adds `--url`, `--token` and `--output` to a command. */
export function withClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'server URL (env AIBRIDGE_URL, else the saved login)'))
    .addOption(new Option('--token <token>', 'API token (env AIBRIDGE_TOKEN, else the saved login)'))
    .addOption(
      new Option('-o, --output <format>', 'output format: table or json')
        .default('table')
        .argParser(parseOutputFormat),
    );
}

/** The API client for a command's options. */
export function clientFor(options: ClientCommandOptions): ApiClient {
  return ApiClient.fromOptions(options);
}
