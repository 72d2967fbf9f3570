import { Command } from 'commander';
import { CliError } from '../api-client.js';
import { configFromOptions, withServerSettings } from '../server-settings.js';

/**
 * `aibridge server create-admin`: recovers owner access from the database itself, for when the owner
 * token is lost. Tokens are stored hashed and cannot be read back, so this makes a new one: for the named
 * user (made an owner and reactivated), or for a new owner of that name.
 */
export function createAdminCommand(): Command {
  return withServerSettings(new Command('create-admin'))
    .description(
      'make a new owner token straight in the database (stop the server first on the embedded database)',
    )
    .option('--username <name>', 'the owner to make the token for (created when missing)', 'admin')
    .action(async (options: { username: string } & Record<string, string | undefined>) => {
      const config = configFromOptions(options);
      const { openAdminStore, recoverOwnerToken } = await import('../../server/recover-owner.js');
      const store = await openAdminStore(config);
      try {
        const recovered = await recoverOwnerToken(store.db, { username: options.username });
        if (!recovered) throw new CliError(`"${options.username}" is not a valid username`);
        process.stderr.write(
          `${recovered.created ? 'Created' : 'Found'} the owner "${recovered.username}"; a new token (shown once):\n`,
        );
        process.stdout.write(`${recovered.token}\n`);
      } finally {
        await store.close();
      }
    });
}
