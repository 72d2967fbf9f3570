/** A reason the server cannot start, said in one line (the CLI prints it without a stack). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The one-line reason of a failure from a lower layer (pg, node:net), without its stack. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]?.trim() ?? '';
  if (line) return line;
  return typeof code === 'string' ? code : 'unknown error';
}

/** A database URL safe to print: the password is masked. */
export function printableDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
