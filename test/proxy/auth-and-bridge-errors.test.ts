import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import {
  centralAnthropicKey,
  type ProxyHarness,
  readEndedInterception,
  startProxyHarness,
} from './harness.js';

const openaiError = {
  error: { message: expect.any(String), type: expect.any(String), code: expect.any(String) },
};
const anthropicError = { type: 'error', error: { type: expect.any(String), message: expect.any(String) } };

describeEachDatabase('proxy authentication, BYOK and the bridge own errors', (getStore) => {
  let harness: ProxyHarness;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore(), { maxBodySize: 64 * 1024 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${harness.server.url}/api/v2/aibridge/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const chat = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });

  it('refuses a missing or wrong token in each provider shape, so the SDKs raise authentication errors', async () => {
    const before = harness.fake.exchanges.length;
    const openai = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: 'abcdefghij-wrongsecret',
      maxRetries: 0,
    });
    const openaiFailure = await openai.chat.completions
      .create({ model: 'gpt-4.1', messages: [] })
      .catch((error: unknown) => error);
    expect(openaiFailure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(openaiFailure).toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringContaining('API token'),
    });
    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: 'nonsense',
      maxRetries: 0,
    });
    const anthropicFailure = await anthropic.messages
      .create({ model: 'claude-sonnet-5-5', max_tokens: 8, messages: [] })
      .catch((error: unknown) => error);
    expect(anthropicFailure).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(anthropicFailure).toMatchObject({
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    const missing = await post('openai/v1/chat/completions', chat);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(openaiError);
    expect(harness.fake.exchanges.length).toBe(before);
  });

  it('answers an unknown provider name with 404 in the shape its path implies', async () => {
    const headers = { authorization: `Bearer ${harness.member.token}` };
    const openaiShaped = await post('nope/v1/chat/completions', chat, headers);
    expect(openaiShaped.status).toBe(404);
    expect(await openaiShaped.json()).toMatchObject({
      error: { code: 'unknown_provider', message: 'Unknown provider "nope".' },
    });
    const anthropicShaped = await post('nope/v1/messages', '{}', headers);
    expect(anthropicShaped.status).toBe(404);
    expect(await anthropicShaped.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Unknown provider "nope".' },
    });
  });

  it('refuses malformed JSON, a body that is not an object and a body over the size limit, before calling upstream', async () => {
    const before = harness.fake.exchanges.length;
    const headers = { 'x-api-key': harness.member.token };
    const malformed = await post('anthropic/v1/messages', '{"model":', headers);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const array = await post('openai/v1/chat/completions', '[1,2]', headers);
    expect(array.status).toBe(400);
    expect(await array.json()).toMatchObject({ error: { code: 'invalid_request_body' } });
    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const tooLarge = await anthropic.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'x'.repeat(100_000) }],
      })
      .catch((error: unknown) => error);
    expect(tooLarge).toMatchObject({
      status: 413,
      error: { ...anthropicError, error: { type: 'request_too_large' } },
    });
    expect(harness.fake.exchanges.length).toBe(before);
  });

  it('uses the user own key under BYOK and records only its masked hint', async () => {
    const ownKey = 'sk-user-own-key-0123456789';
    const openai = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: ownKey,
      defaultHeaders: { 'X-AIBridge-Token': harness.member.token },
    });
    const result = await openai.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(harness.fake.last().headers.authorization).toBe(`Bearer ${ownKey}`);
    expect(harness.fake.last().headers['x-aibridge-token']).toBeUndefined();
    const stored = await readEndedInterception(
      getStore(),
      result.response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception).toMatchObject({
      credential_kind: 'byok',
      credential_hint: 'sk-u...6789',
      initiator_id: harness.member.id,
    });
    expect(JSON.stringify(stored)).not.toContain(ownKey);

    // The key travels upstream in the header the client put it in.
    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: 'sk-ant-own-abcdefwxyz',
      defaultHeaders: { 'X-AIBridge-Token': harness.member.token },
    });
    await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(harness.fake.last().headers.authorization).toBe('Bearer sk-ant-own-abcdefwxyz');
    const viaApiKey = await post(
      'anthropic/v1/messages',
      JSON.stringify({ model: 'c', max_tokens: 8, messages: [] }),
      {
        'x-aibridge-token': harness.member.token,
        'x-api-key': 'sk-ant-own-abcdefwxyz',
      },
    );
    expect(viaApiKey.status).toBe(200);
    expect(harness.fake.last().headers['x-api-key']).toBe('sk-ant-own-abcdefwxyz');
    expect(harness.fake.last().headers.authorization).toBeUndefined();
  });

  it('uses the central key when X-AIBridge-Token comes without a key of the user', async () => {
    const response = await post(
      'anthropic/v1/messages',
      JSON.stringify({ model: 'c', max_tokens: 8, messages: [] }),
      {
        'x-aibridge-token': harness.member.token,
      },
    );
    expect(response.status).toBe(200);
    expect(harness.fake.last().headers['x-api-key']).toBe(centralAnthropicKey);
    const stored = await readEndedInterception(
      getStore(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception?.credential_kind).toBe('centralized');
  });

  it('refuses a user own key with 403 when BYOK is disabled', async () => {
    const config = harness.server.context.config;
    config.allowByok = false;
    try {
      const response = await post('openai/v1/chat/completions', chat, {
        'x-aibridge-token': harness.member.token,
        authorization: 'Bearer sk-user-own-key',
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'byok_disabled' } });
    } finally {
      config.allowByok = true;
    }
  });
});
