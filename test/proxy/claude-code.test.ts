import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { centralAnthropicKey, type ProxyHarness, readInterception, startProxyHarness } from './harness.js';

const sessionId = '0199a4c6-3c9a-7d1e-9b55-1f2e3d4c5b6a';
const claudeHeaders = { 'user-agent': 'claude-cli/2.0.14 (external, cli)', 'x-app': 'cli' };
const userId = JSON.stringify({ device_id: 'dev-1', account_uuid: 'acc-1', session_id: sessionId });

describeEachDatabase('Claude Code traffic through the Anthropic SDK', (getStore) => {
  let harness: ProxyHarness;
  let client: Anthropic;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
    client = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
      defaultHeaders: claudeHeaders,
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const drain = () => harness.server.context.recorder.drain();

  it('records a thread: thinking and parallel tool calls, then the tool-result turns as its descendants', async () => {
    // Turn 1: the user's prompt; the model thinks and calls two tools in parallel.
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-thinking-tools.sse', chunkSize: 5 });
    const first = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 1024,
        stream: true,
        metadata: { user_id: userId },
        messages: [
          { role: 'user', content: [{ type: 'text', text: "What's the weather in Paris and Tokyo?" }] },
        ],
      })
      .withResponse();
    const events: string[] = [];
    for await (const event of first.data) events.push(event.type);
    expect(events.filter((type) => type === 'content_block_stop')).toHaveLength(4);
    const firstId = first.response.headers.get('x-aibridge-interception-id') ?? '';

    // Turn 2 (blocking): both tool results; the model thinks again and reads a file.
    const second = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 1024,
        metadata: { user_id: userId },
        messages: [
          { role: 'user', content: "What's the weather in Paris and Tokyo?" },
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
      })
      .withResponse();
    expect(second.data.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    const secondId = second.response.headers.get('x-aibridge-interception-id') ?? '';

    // Turn 3: the file's content; the model answers in text.
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-text.sse' });
    const third = await client.messages
      .stream({
        model: 'claude-sonnet-5-5',
        max_tokens: 1024,
        metadata: { user_id: userId },
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_03Read', content: 'x' }] },
        ],
      })
      .withResponse();
    const thirdId = third.response.headers.get('x-aibridge-interception-id') ?? '';
    expect(await third.data.finalText()).toBe('Both cities are sunny today.');
    await drain();

    const one = await readInterception(getStore(), firstId);
    expect(one.interception).toMatchObject({
      initiator_id: harness.member.id,
      api_key_id: harness.member.token.split('-')[0],
      provider: 'anthropic',
      provider_name: 'anthropic',
      model: 'claude-sonnet-5-5',
      client: 'Claude Code',
      client_session_id: sessionId,
      session_key: sessionId,
      thread_parent_id: null,
      thread_root_id: null,
      credential_kind: 'centralized',
      credential_hint: `${centralAnthropicKey.slice(0, 4)}...${centralAnthropicKey.slice(-4)}`,
      upstream_status: 200,
      error: null,
    });
    expect(one.interception?.metadata).toMatchObject({ user_agent: claudeHeaders['user-agent'] });
    expect(one.interception?.ended_at).toBeInstanceOf(Date);
    expect(one.userPrompts.map((prompt) => [prompt.prompt, prompt.provider_response_id])).toEqual([
      ["What's the weather in Paris and Tokyo?", 'msg_01ThinkTools'],
    ]);
    expect(one.tokenUsages).toMatchObject([
      {
        provider_response_id: 'msg_01ThinkTools',
        input_tokens: 12,
        output_tokens: 187,
        cache_read_input_tokens: 15000,
        cache_write_input_tokens: 2048,
        metadata: { service_tier: 'standard', cache_creation: { ephemeral_5m_input_tokens: 2048 } },
      },
    ]);
    expect(
      one.toolUsages.map((tool) => [tool.provider_tool_call_id, tool.tool, tool.input, tool.injected]),
    ).toEqual([
      ['toolu_01Paris', 'get_weather', '{"city": "Paris"}', false],
      ['toolu_02Tokyo', 'get_weather', '{"city": "Tokyo"}', false],
    ]);
    expect(one.thoughts.map((thought) => thought.content)).toEqual([
      'The user wants the weather in two cities. I can look both up in parallel.',
    ]);

    const two = await readInterception(getStore(), secondId);
    expect(two.interception).toMatchObject({
      thread_parent_id: firstId,
      thread_root_id: firstId,
      client_session_id: sessionId,
    });
    expect(two.userPrompts).toEqual([]);
    expect(two.tokenUsages).toMatchObject([
      { input_tokens: 40, output_tokens: 52, cache_read_input_tokens: 5000, cache_write_input_tokens: 100 },
    ]);
    expect(two.toolUsages.map((tool) => [tool.provider_tool_call_id, tool.input])).toEqual([
      ['toolu_03Read', '{"file_path":"/src/main.ts"}'],
    ]);
    expect(two.thoughts.map((thought) => thought.content)).toEqual(['I should read the file first.']);

    const three = await readInterception(getStore(), thirdId);
    expect(three.interception).toMatchObject({ thread_parent_id: secondId, thread_root_id: firstId });
    expect(three.tokenUsages).toMatchObject([{ input_tokens: 25, output_tokens: 9 }]);
  });

  it('delivers the provider stream byte for byte and forwards the request body unchanged', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-thinking-tools.sse', chunkSize: 3 });
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      stream: true as const,
      unknown_future_field: { keep: [3, 2, 1] },
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    const response = await client.messages.create(params).asResponse();
    const received = Buffer.from(await response.arrayBuffer());
    const exchange = harness.fake.last();
    await exchange.done;
    expect(received.equals(exchange.sent)).toBe(true);
    expect(exchange.body.toString()).toBe(JSON.stringify(params));
  });

  it('sends the central key upstream and never the bridge token', async () => {
    await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const { headers } = harness.fake.last();
    expect(headers['x-api-key']).toBe(centralAnthropicKey);
    expect(headers.authorization).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(harness.member.token.split('-')[1]);
    expect(headers['user-agent']).toBe(claudeHeaders['user-agent']);
    expect(headers['anthropic-version']).toBeDefined();
  });

  it('reads the session from the X-Claude-Code-Session-Id header and from the legacy user id form', async () => {
    const headerResult = await client.messages
      .create(
        { model: 'claude-haiku-5-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-claude-code-session-id': 'header-session' } },
      )
      .withResponse();
    const legacy = `user_0f3a_account_acc_session_${sessionId}`;
    const legacyResult = await client.messages
      .create({
        model: 'claude-haiku-5-5',
        max_tokens: 8,
        metadata: { user_id: legacy },
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    await drain();
    const byHeader = await readInterception(
      getStore(),
      headerResult.response.headers.get('x-aibridge-interception-id') ?? '',
    );
    const byLegacy = await readInterception(
      getStore(),
      legacyResult.response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(byHeader.interception?.client_session_id).toBe('header-session');
    expect(byLegacy.interception?.client_session_id).toBe(sessionId);
  });

  it('passes count_tokens and models through with the central key and records nothing', async () => {
    const before = await getStore()
      .db.selectFrom('aibridge_interceptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const counted = await client.messages.countTokens({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.input_tokens).toBe(42);
    expect(harness.fake.last()).toMatchObject({ path: '/v1/messages/count_tokens' });
    expect(harness.fake.last().headers['x-api-key']).toBe(centralAnthropicKey);
    const models = await fetch(`${harness.providerUrl('anthropic')}/v1/models?limit=5`, {
      headers: { 'x-api-key': harness.member.token },
    });
    expect(models.status).toBe(200);
    expect(models.headers.get('x-aibridge-interception-id')).toBeNull();
    await drain();
    const after = await getStore()
      .db.selectFrom('aibridge_interceptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('finds the parent in the database when another server recorded the tool call', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-thinking-tools.sse' });
    const first = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'weather?' }],
      })
      .asResponse();
    await first.text();
    const parentId = first.headers.get('x-aibridge-interception-id') ?? '';
    await drain();
    const other = await startTestServer({
      store: getStore(),
      config: { providers: harness.server.context.config.providers },
    });
    try {
      const otherClient = new Anthropic({
        baseURL: `${other.url}/api/v2/aibridge/anthropic`,
        apiKey: harness.member.token,
      });
      const answer = await otherClient.messages
        .create({
          model: 'claude-sonnet-5-5',
          max_tokens: 64,
          messages: [
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: 'toolu_02Tokyo', content: 'rain' }],
            },
          ],
        })
        .withResponse();
      await other.context.recorder.drain();
      const child = await readInterception(
        getStore(),
        answer.response.headers.get('x-aibridge-interception-id') ?? '',
      );
      expect(child.interception).toMatchObject({ thread_parent_id: parentId, thread_root_id: parentId });
    } finally {
      await other.close();
    }
  });
});
