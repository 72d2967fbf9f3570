import { Command } from 'commander';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { humanTime, printObject, printRows } from '../output.js';

interface TokenJson {
  id: string;
  token_name: string;
  created_at: string;
  expires_at: string | null;
  last_used: string | null;
}

type UserOption = { user: string };

/** `aibridge tokens create|list|delete`. */
export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('manage API tokens');
  const userOption = ['--user <user>', 'whose tokens: username, id or "me"', 'me'] as const;

  withClientOptions(
    tokens
      .command('create')
      .description('create a token; it is printed once')
      .option(...userOption)
      .option('--name <name>', 'token name')
      .option('--lifetime <duration>', 'lifetime such as 30d or 12h (default: never expires)'),
  ).action(async (options: ClientCommandOptions & UserOption & { name?: string; lifetime?: string }) => {
    const created = await clientFor(options).request<{ key: string }>(
      'POST',
      `/api/v2/users/${encodeURIComponent(options.user)}/keys/tokens`,
      {
        ...(options.name ? { token_name: options.name } : {}),
        ...(options.lifetime ? { lifetime: options.lifetime } : {}),
      },
    );
    if (options.output === 'json') printObject({ format: 'json', value: created });
    else process.stdout.write(`${created.key}\n`);
  });

  withClientOptions(
    tokens
      .command('list')
      .description('list tokens')
      .option(...userOption),
  ).action(async (options: ClientCommandOptions & UserOption) => {
    const list = await clientFor(options).request<TokenJson[]>(
      'GET',
      `/api/v2/users/${encodeURIComponent(options.user)}/keys/tokens`,
    );
    printRows({
      format: options.output,
      rows: list,
      noun: 'tokens',
      columns: [
        { heading: 'id', value: (token) => token.id },
        { heading: 'name', value: (token) => token.token_name },
        { heading: 'created', value: (token) => humanTime(token.created_at) },
        { heading: 'expires', value: (token) => (token.expires_at ? humanTime(token.expires_at) : 'never') },
        { heading: 'last used', value: (token) => humanTime(token.last_used) },
      ],
    });
  });

  withClientOptions(
    tokens
      .command('delete')
      .description('delete a token')
      .argument('<id>', 'token id')
      .option(...userOption),
  ).action(async (id: string, options: ClientCommandOptions & UserOption) => {
    await clientFor(options).request(
      'DELETE',
      `/api/v2/users/${encodeURIComponent(options.user)}/keys/${encodeURIComponent(id)}`,
    );
    if (options.output === 'json') printObject({ format: 'json', value: { deleted: id } });
    else process.stdout.write(`Deleted token ${id}.\n`);
  });
  return tokens;
}
