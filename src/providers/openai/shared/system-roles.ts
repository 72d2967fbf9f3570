/**
 * OpenAI's system-role messages: `system`, and `developer`, which replaces it for reasoning models. Both
 * carry instructions, never the user's turn.
 */
export function isSystemRole(role: string | null): boolean {
  return role === 'system' || role === 'developer';
}
