import { Command } from 'commander';
import { ApiClient, CliError, credentialsPath, forgetCredentials, saveCredentials } from '../api-client.js';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { printObject } from '../output.js';
import { readSecret } from '../read-secret.js';

/**
 * `aibridge login URL [--token T]`: checks the token against the server and saves both. Without
 * `--token` the token is asked for without echo (or read from stdin), so it stays out of shell history.
 */
export function loginCommand(): Command {
  return new Command('login')
    .description('save a server URL and token for later commands')
    .argument('<url>', 'server URL, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'your API token (asked for when not given)')
    .action(async (url: string, options: { token?: string }) => {
      const token = options.token ?? (await readSecret('API token: '));
      if (!token) throw new CliError('no token given');
      const client = new ApiClient({ url, token });
      const me = await client.request<{ username: string }>('GET', '/api/v2/users/me');
      saveCredentials({ url: client.url, token });
      process.stdout.write(`Logged in to ${client.url} as ${me.username}.\n`);
    });
}

/** `aibridge logout`: forgets the saved URL and token. */
export function logoutCommand(): Command {
  return new Command('logout').description('forget the saved server URL and token').action(() => {
    const removed = forgetCredentials();
    process.stdout.write(removed ? `Logged out (removed ${credentialsPath()}).\n` : 'Not logged in.\n');
  });
}

/** `aibridge whoami`: the user the current token belongs to, and the server. */
export function whoamiCommand(): Command {
  return withClientOptions(new Command('whoami').description('show the user of the current token')).action(
    async (options: ClientCommandOptions) => {
      const client = clientFor(options);
      const me = await client.request<{ username: string; roles: string[]; id: string }>(
        'GET',
        '/api/v2/users/me',
      );
      if (options.output === 'json') {
        printObject({ format: 'json', value: { url: client.url, ...me } });
        return;
      }
      const role = me.roles.length > 0 ? me.roles.join(',') : 'member';
      process.stdout.write(`${me.username} (${role}) on ${client.url}\n`);
    },
  );
}
