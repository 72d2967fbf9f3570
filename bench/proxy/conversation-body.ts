/**
 * Chat Completions request bodies the size of an agent's conversation: agents send their whole history on
 * every turn, so late in a session a request body reaches hundreds of KB.
 */

const filler =
  'The function reads the configuration, validates every field and returns the merged result; ' +
  'callers pass overrides from the command line, which win over the file. ';

/** A blocking request body of at least `bytes` bytes: a system prompt, past turns, and the new prompt. */
export function conversationBody(bytes: number): string {
  const messages: { role: string; content: string }[] = [
    { role: 'system', content: 'You are a coding assistant working in a TypeScript repository.' },
  ];
  const prompt = { role: 'user', content: 'Now list the files under src and explain the entry point.' };
  let turn = 0;
  const size = () => JSON.stringify({ model: 'gpt-4.1', messages: [...messages, prompt] }).length;
  while (size() < bytes) {
    const role = turn % 2 === 0 ? 'user' : 'assistant';
    const room = bytes - size();
    messages.push({
      role,
      content: filler.repeat(Math.max(1, Math.min(8, Math.ceil(room / filler.length)))),
    });
    turn += 1;
  }
  return JSON.stringify({ model: 'gpt-4.1', messages: [...messages, prompt] });
}
