import type { Logger } from 'pino';

/**
 * Keeps the server up through an unexpected error: an exception nothing caught, or a promise rejection
 * nothing handled, is logged instead of ending the process and every request in flight with it. Returns
 * a function that removes the guard.
 */
export function guardProcess(logger: Logger): () => void {
  // Where the log goes may go away (a closed pipe: the reader exited, `aibridge server | head`). Its write
  // errors are then only ignored: unhandled, each became an uncaught exception whose log line failed
  // again, a loop that held a core at 100 % for as long as the server ran.
  const onOutputError = () => {};
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  const onException = (error: Error) =>
    logger.error({ err: error }, 'unexpected error; the server keeps running');
  const onRejection = (reason: unknown) =>
    logger.error({ err: reason }, 'unhandled promise rejection; the server keeps running');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.stdout.off('error', onOutputError);
    process.stderr.off('error', onOutputError);
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
