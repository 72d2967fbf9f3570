import { Argument, Command, Option } from 'commander';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { humanTime, printObject, printRows } from '../output.js';

/** A user as the API returns it. */
export interface UserJson {
  id: string;
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  roles: string[];
  status: string;
  created_at: string;
}

const roleOf = (user: UserJson) => (user.roles.length > 0 ? user.roles.join(',') : 'member');

/** `aibridge users create|list|show|suspend|activate|delete|set-role`. */
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
        noun: 'users',
        json: result.users,
        columns: [
          { heading: 'username', value: (user) => user.username },
          { heading: 'name', value: (user) => user.name },
          { heading: 'role', value: roleOf },
          { heading: 'status', value: (user) => user.status },
          { heading: 'created', value: (user) => humanTime(user.created_at) },
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
  const change = (input: {
    name: string;
    description: string;
    method: 'PUT' | 'DELETE';
    path: (user: string) => string;
    done: (user: string) => string;
  }) =>
    withClientOptions(
      users.command(input.name).description(input.description).argument('<user>', 'username or id'),
    ).action(async (user: string, options: ClientCommandOptions) => {
      const result = await clientFor(options).request<UserJson | undefined>(input.method, input.path(user));
      if (options.output === 'json')
        printObject({ format: 'json', value: { ...(result ?? { deleted: user }) } });
      else process.stdout.write(`${input.done(user)}\n`);
    });
  const userPath = (user: string) => `/api/v2/users/${encodeURIComponent(user)}`;
  change({
    name: 'suspend',
    description: 'suspend a user: their tokens stop working at once (owners only)',
    method: 'PUT',
    path: (user) => `${userPath(user)}/status/suspend`,
    done: (user) => `Suspended ${user}.`,
  });
  change({
    name: 'activate',
    description: 'reactivate a suspended user (owners only)',
    method: 'PUT',
    path: (user) => `${userPath(user)}/status/activate`,
    done: (user) => `Activated ${user}.`,
  });
  change({
    name: 'delete',
    description: 'delete a user and their tokens; their interceptions stay readable (owners only)',
    method: 'DELETE',
    path: userPath,
    done: (user) => `Deleted ${user}.`,
  });

  withClientOptions(
    users
      .command('set-role')
      .description("set a user's role (owners only)")
      .argument('<user>', 'username or id')
      .addArgument(new Argument('<role>', 'the new role').choices(['owner', 'auditor', 'member'])),
  ).action(async (user: string, role: string, options: ClientCommandOptions) => {
    const updated = await clientFor(options).request<UserJson>('PUT', `${userPath(user)}/roles`, {
      roles: role === 'member' ? [] : [role],
    });
    if (options.output === 'json') printObject({ format: 'json', value: { ...updated } });
    else process.stdout.write(`${updated.username} is now ${roleOf(updated)}.\n`);
  });
  return users;
}
