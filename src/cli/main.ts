import { Command, CommanderError } from 'commander';
import { version } from '../version.js';
import { CliError } from './api-client.js';
import { clientsCommand } from './commands/clients.js';
import { completionCommand } from './commands/completion.js';
import { interceptionsCommand } from './commands/interceptions.js';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/login.js';
import { modelsCommand } from './commands/models.js';
import { serverCommand } from './commands/server.js';
import { sessionsCommand } from './commands/sessions.js';
import { tokensCommand } from './commands/tokens.js';
import { usersCommand } from './commands/users.js';

/** The `aibridge` command line: the server and the clients of its HTTP API. */
const program = new Command('aibridge')
  .description('AI Bridge: a recording gateway between AI coding clients and LLM providers')
  .version(version, '-v, --version', 'print the version')
  // Flags after a subcommand belong to it (`server create-admin --data-dir X`), not to a parent.
  .enablePositionalOptions();

program.addCommand(serverCommand());
program.addCommand(loginCommand());
program.addCommand(usersCommand());
program.addCommand(tokensCommand());
program.addCommand(interceptionsCommand());
program.addCommand(sessionsCommand());
program.addCommand(modelsCommand());
program.addCommand(clientsCommand());

program.addCommand(whoamiCommand());
program.addCommand(logoutCommand());
program.addCommand(completionCommand(program));
program.exitOverride();

/**
 * Every failure ends as one line on stderr and a non-zero exit, never a stack trace: commander's own
 * errors (already printed by commander), expected failures (CliError, StartupError), and anything else.
 */
function fail(error: unknown): never {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const exitCode = error instanceof CliError ? error.exitCode : 1;
  process.stderr.write(`aibridge: ${oneLine(error)}\n`);
  process.exit(exitCode);
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || (error instanceof Error ? error.name : 'unknown error');
}

// The last resort of a client command; the server installs its own guard, which keeps it running, and
// this one then stands aside.
const lastResort = (event: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
  if (process.listenerCount(event) === 1) fail(error);
};
process.on('uncaughtException', lastResort('uncaughtException'));
process.on('unhandledRejection', lastResort('unhandledRejection'));
program.parseAsync(process.argv).catch(fail);
