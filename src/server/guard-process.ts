import type { Logger } from 'pino';

/**
 * Keeps the server up through an unexpected error: an exception nothing caught, or a promise rejection
 * nothing handled, is logged instead of ending the process and every request in flight with it. Returns
 * a function that removes the guard.
 */
export function guardProcess(logger: Logger): () => void {
  const onException = (error: Error) =>
    logger.error({ err: error }, 'unexpected error; the server keeps running');
  const onRejection = (reason: unknown) =>
    logger.error({ err: reason }, 'unhandled promise rejection; the server keeps running');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
