/**
 * Which database errors mean "the database cannot be reached or the connection died", as opposed to an
 * error of the statement itself. Callers ride these out (serve from memory, retry, answer 503) instead of
 * failing the request with the database's text.
 */

/** Socket errors of a refused, reset or unreachable connection. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or not accepting: class 08 (connection exception), 57P01–57P03
 * (admin or crash shutdown, cannot connect now, e.g. while starting or stopping), 53300 (too many
 * connections).
 */
const serverStates = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages node-postgres and pg-pool give a dead or unobtainable connection (they carry no code). */
const driverMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Connection ended',
];

/** Whether `error` says the database is unreachable or the connection broke (not a bad statement). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (socketCodes.has(code) || serverStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  // Connecting to a name with several addresses fails with one error per address.
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0 && nested.every(isConnectionError)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && driverMessages.some((text) => message.includes(text));
}
