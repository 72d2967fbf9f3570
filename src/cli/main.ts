#!/usr/bin/env node
import { Command } from 'commander';
import { version } from '../version.js';
import { CliError } from './api-client.js';
import { clientsCommand } from './commands/clients.js';
import { interceptionsCommand } from './commands/interceptions.js';
import { loginCommand } from './commands/login.js';
import { modelsCommand } from './commands/models.js';
import { serverCommand } from './commands/server.js';
import { sessionsCommand } from './commands/sessions.js';
import { tokensCommand } from './commands/tokens.js';
import { usersCommand } from './commands/users.js';

/** The `aibridge` command line: the server and the clients of its HTTP API. */
const program = new Command('aibridge')
  .description('AI Bridge: a recording gateway between AI coding clients and LLM providers')
  .version(version, '-v, --version', 'print the version')
  .showHelpAfterError();

program.addCommand(serverCommand());
program.addCommand(loginCommand());
program.addCommand(usersCommand());
program.addCommand(tokensCommand());
program.addCommand(interceptionsCommand());
program.addCommand(sessionsCommand());
program.addCommand(modelsCommand());
program.addCommand(clientsCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  // A CliError is an expected failure (one line); anything else is a bug and keeps its stack.
  let message = String(error);
  if (error instanceof CliError) message = error.message;
  else if (error instanceof Error) message = error.stack ?? error.message;
  process.stderr.write(`aibridge: ${message}\n`);
  process.exit(1);
});
