import { Command } from 'commander';
import { ApiClient, saveCredentials } from '../api-client.js';

/** `aibridge login URL --token T`: checks the token against the server and saves both. */
export function loginCommand(): Command {
  return new Command('login')
    .description('save a server URL and token for later commands')
    .argument('<url>', 'server URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--token <token>', 'your API token')
    .action(async (url: string, options: { token: string }) => {
      const client = new ApiClient({ url, token: options.token });
      const me = await client.request<{ username: string }>('GET', '/api/v2/users/me');
      saveCredentials({ url: client.url, token: options.token });
      process.stdout.write(`Logged in to ${client.url} as ${me.username}.\n`);
    });
}
