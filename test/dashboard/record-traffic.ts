/**
 * Real traffic for the dashboard test: the official Anthropic and OpenAI SDKs, dressed as Claude Code and
 * Codex, through the bridge to the fake provider. The member runs a Claude Code session (thinking,
 * parallel tool calls, a tool-result turn, a 10,000-character prompt with wide characters, a refused
 * turn); bob runs a
 * Codex session of many turns and a plain OpenAI SDK call.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ProxyHarness } from '../proxy/harness.js';

export const claudeSession = '0199c0de-0000-7000-8000-00000000da5b';
export const codexSession = '0199c0de-0000-7000-8000-0000000c0dec';
export const firstPrompt = 'What is the weather in Paris and Tokyo? 東京の天気は？🌦';
/** 10,000 characters: wide characters, an emoji and plain words, to stress every table and card. */
/** More Codex turns than one page of threads holds, so the session page must load more as it scrolls. */
export const codexTurns = 24;
export const longPrompt = `${'長いプロンプト🚀 '.repeat(900)}${'x'.repeat(10_000 - 9 * 900)}`.slice(
  0,
  10_000,
);

/** Records the traffic and waits until every interception is written. */
export async function recordTraffic(harness: ProxyHarness, bob: { token: string }): Promise<void> {
  const claude = new Anthropic({
    baseURL: harness.providerUrl('anthropic'),
    apiKey: harness.member.token,
    defaultHeaders: {
      'user-agent': 'claude-cli/2.0.14 (external, cli)',
      'x-claude-code-session-id': claudeSession,
    },
  });
  harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-thinking-tools.sse' });
  const first = await claude.messages.create({
    model: 'claude-sonnet-5-5',
    max_tokens: 1024,
    stream: true,
    messages: [{ role: 'user', content: firstPrompt }],
  });
  for await (const _event of first) {
    // Read the stream to its end, as a client does.
  }
  // The tool results: a child of the first turn (the fake answers with thinking and a Read call).
  await claude.messages.create({
    model: 'claude-sonnet-5-5',
    max_tokens: 1024,
    messages: [
      { role: 'user', content: firstPrompt },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: {} }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Paris', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_02Tokyo', content: 'rain' },
        ],
      },
    ],
  });
  harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-text.sse' });
  await claude.messages
    .stream({ model: 'claude-opus-4-1', max_tokens: 1024, messages: [{ role: 'user', content: longPrompt }] })
    .finalMessage();
  // A turn the provider refuses (400 is not retried by the SDK): the session's one failed interception.
  harness.fake.script({
    kind: 'status',
    status: 400,
    body: JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'messages: text content blocks must be non-empty' },
    }),
  });
  const refused = await claude.messages
    .create({ model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] })
    .catch((error: unknown) => error);
  if (!(refused instanceof Anthropic.BadRequestError)) throw new Error('the scripted 400 was not answered');

  const codex = new OpenAI({
    baseURL: `${harness.providerUrl('openai')}/v1`,
    apiKey: bob.token,
    defaultHeaders: {
      'user-agent': 'codex_cli_rs/0.46.0 (Mac OS 15.0.0; arm64) ghostty/1.2.0',
      originator: 'codex_cli_rs',
      session_id: codexSession,
    },
  });
  harness.fake.script({ kind: 'fixture', fixture: 'openai-responses/stream-reasoning-tools.sse' });
  const stream = await codex.responses.create({
    model: 'gpt-5-codex',
    stream: true,
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'what is in this repo?' }] }],
  });
  for await (const _event of stream) {
    // Read the stream to its end.
  }
  for (let turn = 1; turn < codexTurns; turn += 1) {
    await codex.responses.create({ model: 'gpt-5-codex', input: `turn ${turn}: run the tests again` });
  }
  const sdk = new OpenAI({ baseURL: `${harness.providerUrl('openai')}/v1`, apiKey: bob.token });
  await sdk.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'say hi' }] });
  await harness.server.context.recorder.drain();
}
