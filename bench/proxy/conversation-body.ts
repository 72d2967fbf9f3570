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

/**
 * The same conversation as a Responses request (what Codex sends): `input` items, the instructions apart.
 * The bridge never edits a Responses body, so this one goes upstream as it arrives.
 */
export function responsesConversationBody(bytes: number): string {
  const chat = JSON.parse(conversationBody(bytes)) as { messages: { role: string; content: string }[] };
  const [system, ...turns] = chat.messages;
  return JSON.stringify({
    model: 'gpt-5-codex',
    instructions: system?.content ?? '',
    input: turns.map((turn) =>
      turn.role === 'user'
        ? { type: 'message', role: 'user', content: [{ type: 'input_text', text: turn.content }] }
        : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: turn.content }] },
    ),
  });
}
