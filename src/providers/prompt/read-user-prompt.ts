/**
 * The rules every provider API shares for reading the user's prompt out of a conversation: which trailing
 * entries are not the user's turn, and which text a coding client injects into the user's message.
 */

/**
 * Context elements coding clients put into the user's message as text blocks of their own: Claude Code's
 * `<system-reminder>` (git status, attribution rules, todo lists), Codex's `<environment_context>` (cwd,
 * shell, sandbox) and Gemini CLI's `<session_context>` (date, OS, workspace). A block that consists only
 * of such elements is the client's, not the user's, so it is never recorded as the prompt.
 */
export const injectedContextTags: readonly string[] = [
  'system-reminder',
  'environment_context',
  'session_context',
];

/** Whether `text` consists wholly of injected context elements (one or more, whitespace between). */
export function isInjectedContext(text: string): boolean {
  let rest = text.trim();
  if (rest === '') return false;
  while (rest !== '') {
    const tag = injectedContextTags.find((name) => rest.startsWith(`<${name}>`));
    if (tag === undefined) return false;
    const close = `</${tag}>`;
    const end = rest.indexOf(close);
    if (end === -1) return false;
    rest = rest.slice(end + close.length).trimStart();
  }
  return true;
}

/**
 * The user's text of one message: its text parts joined by a newline, leaving out the parts a client
 * injected; null when nothing is left.
 */
export function userText(parts: readonly string[]): string | null {
  const own = parts.filter((part) => part !== '' && !isInjectedContext(part));
  return own.length > 0 ? own.join('\n') : null;
}

/**
 * The last entry of a conversation that is not a system-role message. Clients append system messages after
 * the user's turn (Claude Code puts its environment description there), so the turn being answered is
 * the last entry before them.
 */
export function lastTurn<Entry>(
  entries: readonly Entry[],
  isSystem: (entry: Entry) => boolean,
): Entry | null {
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index] as Entry;
    if (!isSystem(entry)) return entry;
  }
  return null;
}
