import cluster from 'node:cluster';
import { Command } from 'commander';
import { CliError } from '../api-client.js';
import { configFromOptions, withServerSettings } from '../server-settings.js';
import { createAdminCommand } from './create-admin.js';

/** `aibridge server`: runs the bridge until SIGTERM or SIGINT. */
export function serverCommand(): Command {
  const command = withServerSettings(
    new Command('server').description(
      'run the AI Bridge server (embedded database unless --database-url is given)',
    ),
  );
  command.enablePositionalOptions();
  command.addCommand(createAdminCommand());
  command.action(async (options: Record<string, string | undefined>) => {
    const config = configFromOptions(options);
    // Loaded here so that client commands do not pay for the server's modules at start-up.
    const { createLogger } = await import('../../server/logger.js');
    const logger = createLogger({ level: config.logLevel, format: config.logFormat });
    if (cluster.isWorker) {
      // A worker forked by the primary below runs this same command line: it serves until told to stop.
      const { runClusterWorker } = await import('../../server/cluster-worker.js');
      await runClusterWorker({ config, logger });
      return;
    }
    const { workerCount } = await import('../../server/workers.js');
    const workers = workerCount(config);
    if (typeof workers !== 'number') throw new CliError(workers.error, { exitCode: 2 });
    const { startBanner } = await import('../start-banner.js');
    const server =
      workers > 1
        ? await (await import('../../server/run-cluster.js')).runCluster({ config, logger, workers })
        : await (await import('../../server/run-server.js')).runServer({ config, logger });
    process.stderr.write(
      startBanner({
        url: server.url,
        accessUrl:
          config.accessUrl === `http://${config.listen.host}:${config.listen.port}`
            ? server.url
            : config.accessUrl,
        adminToken: server.adminToken,
        adminTokenFile: config.adminTokenFile,
        terminal: process.stderr.isTTY === true,
      }),
    );
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
