import { Command, Option } from 'commander';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { printObject, printRows } from '../output.js';

/** A user as the API returns it. */
export interface UserJson {
  id: string;
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  roles: string[];
  created_at: string;
}

const roleOf = (user: UserJson) => (user.roles.length > 0 ? user.roles.join(',') : 'member');

/** `aibridge users create|list|show`. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage users');

  withClientOptions(
    users
      .command('create')
      .description('create a user (owners only)')
      .argument('<username>', 'the new username')
      .option('--name <name>', 'display name')
      .option('--email <email>', 'email address')
      .option('--avatar-url <url>', 'avatar URL')
      .addOption(
        new Option('--role <role>', 'extra role').choices(['owner', 'auditor', 'member']).default('member'),
      ),
  ).action(
    async (
      username: string,
      options: ClientCommandOptions & { name?: string; email?: string; avatarUrl?: string; role: string },
    ) => {
      const user = await clientFor(options).request<UserJson>('POST', '/api/v2/users', {
        username,
        ...(options.name ? { name: options.name } : {}),
        ...(options.email ? { email: options.email } : {}),
        ...(options.avatarUrl ? { avatar_url: options.avatarUrl } : {}),
        roles: options.role === 'member' ? [] : [options.role],
      });
      printObject({
        format: options.output,
        value:
          options.output === 'json'
            ? { ...user }
            : { id: user.id, username: user.username, role: roleOf(user) },
      });
    },
  );

  withClientOptions(users.command('list').description('list users (owners and auditors)')).action(
    async (options: ClientCommandOptions) => {
      const result = await clientFor(options).request<{ users: UserJson[] }>('GET', '/api/v2/users');
      printRows({
        format: options.output,
        rows: result.users,
        json: result.users,
        columns: [
          { heading: 'username', value: (user) => user.username },
          { heading: 'name', value: (user) => user.name },
          { heading: 'role', value: roleOf },
          { heading: 'created', value: (user) => user.created_at },
          { heading: 'id', value: (user) => user.id },
        ],
      });
    },
  );

  withClientOptions(
    users.command('show').description('show a user').argument('[user]', 'username, id or "me"', 'me'),
  ).action(async (user: string, options: ClientCommandOptions) => {
    const found = await clientFor(options).request<UserJson>(
      'GET',
      `/api/v2/users/${encodeURIComponent(user)}`,
    );
    printObject({
      format: options.output,
      value: options.output === 'json' ? { ...found } : { ...found, roles: roleOf(found) },
    });
  });
  return users;
}
