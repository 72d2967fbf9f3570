/**
 * Request bodies of endpoints the bridge never edits (Anthropic Messages, OpenAI Responses and its
 * compaction, Gemini generateContent) go upstream as they arrive while a copy is read beside the forward.
 * These tests drive agent-sized bodies through the official SDKs, and bodies that turn out bad, too large
 * or abandoned mid-upload through a raw client that sends them in parts: the provider must never receive
 * a complete request the bridge did not admit and record.
 */
import { type ClientRequest, request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Upload } from '../fake-provider/fake-provider.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readEndedInterception, startProxyHarness } from './harness.js';

const claudeSession = '5b0c1c7e-2f7a-4d8e-9a51-0c3f1e2d4b6a';
const codexSession = '0199b0d2-51aa-7c3e-8f00-0b1b2c3d4e5f';

// Multi-byte text (2-, 3- and 4-byte sequences) so that UTF-8 sequences straddle the chunks of a body.
const filler =
  'La fonction lit la configuration — elle vérifie chaque champ 🙂 et renvoie le résultat fusionné; ' +
  '設定ファイルより命令行の引数が優先される。 ';

/** Past turns of about `bytes` bytes of JSON text, alternating user and assistant. */
function history(bytes: number): { role: 'user' | 'assistant'; content: string }[] {
  const turns: { role: 'user' | 'assistant'; content: string }[] = [];
  let size = 0;
  for (let turn = 0; size < bytes; turn += 1) {
    const content = `${turn}: ${filler.repeat(40)}`;
    turns.push({ role: turn % 2 === 0 ? 'user' : 'assistant', content });
    size += Buffer.byteLength(JSON.stringify(content));
  }
  // The conversation must end with the assistant, so the new prompt follows a reply.
  if (turns.at(-1)?.role === 'user') turns.push({ role: 'assistant', content: 'Understood.' });
  return turns;
}

describeEachDatabase('request bodies forwarded as they arrive', (getStore) => {
  let harness: ProxyHarness;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore(), {}, (fakeUrl) => [
      { name: 'gemini', type: 'gemini', baseUrl: fakeUrl, key: 'AIzaSy-central-gemini-0123456789' },
    ]);
  });
  afterAll(async () => {
    await harness?.close();
  });

  const countInterceptions = async () => {
    await harness.server.context.recorder.drain();
    const row = await getStore()
      .db.selectFrom('aibridge_interceptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const completeUploads = (path: string) =>
    harness.fake.uploads.filter((upload) => upload.path === path && upload.state === 'complete').length;

  /**
   * Sends a body in parts on one connection; once the first parts are written, waits until the provider
   * has started receiving the body (the bridge forwards all but the latest chunk), then sends the rest.
   */
  async function sendInParts(input: {
    path: string;
    upstreamPath: string;
    headers: Record<string, string>;
    first: Buffer[];
    rest: Buffer[];
    /** Instead of sending the rest, the client goes away. */
    abandon?: boolean;
    /** Send the body chunked instead of declaring its length (with it, the last byte completes it). */
    chunked?: boolean;
  }): Promise<{ status: number; body: string; upload: Upload } | { upload: Upload; request: ClientRequest }> {
    const uploadsBefore = harness.fake.uploads.length;
    const length = [...input.first, ...input.rest].reduce((sum, part) => sum + part.length, 0);
    const request = httpRequest(`${harness.server.url}/api/v2/aibridge${input.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(input.chunked ? {} : { 'content-length': String(length) }),
        ...input.headers,
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      request.on('error', reject);
    });
    answered.catch(() => {});
    for (const part of input.first) request.write(part);
    const started = await harness.fake.waitForUpload(
      (upload) =>
        harness.fake.uploads.indexOf(upload) >= uploadsBefore &&
        upload.path === input.upstreamPath &&
        upload.received > 0,
    );
    if (input.abandon) {
      request.destroy();
      return { upload: started, request };
    }
    for (const part of input.rest) request.write(part);
    request.end();
    return { ...(await answered), upload: started };
  }

  it('forwards a 500 KB Claude Code conversation byte for byte and records it as the buffered path did', async () => {
    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
      defaultHeaders: {
        'user-agent': 'claude-cli/2.1.3 (external, cli)',
        'x-claude-code-session-id': claudeSession,
      },
    });
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-thinking-tools.sse', chunkSize: 13 });
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 32000,
      stream: true as const,
      messages: [
        ...history(500 * 1024),
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: '<system-reminder>\nToday is Thursday.\n</system-reminder>' },
            { type: 'text' as const, text: 'Résume le dépôt 🙂 puis liste src/' },
          ],
        },
      ],
    };
    const sent = JSON.stringify(params);
    expect(Buffer.byteLength(sent)).toBeGreaterThan(500 * 1024);
    const { data: stream, response } = await anthropic.messages.create(params).withResponse();
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('message_stop');
    const exchange = harness.fake.last();
    expect(exchange.body.toString('utf8')).toBe(sent);

    const id = response.headers.get('x-aibridge-interception-id') ?? '';
    const stored = await readEndedInterception(getStore(), id);
    expect(stored.interception).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      client: 'Claude Code',
      client_session_id: claudeSession,
      thread_parent_id: null,
      upstream_status: 200,
      error: null,
    });
    expect(stored.userPrompts.map((prompt) => prompt.prompt)).toEqual(['Résume le dépôt 🙂 puis liste src/']);
    expect(stored.tokenUsages).toHaveLength(1);
    expect(stored.toolUsages.length).toBeGreaterThan(0);
  });

  it('forwards large Codex Responses turns (blocking and streamed) and links the tool-output turn to its parent', async () => {
    const codex = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: harness.member.token,
      defaultHeaders: {
        'user-agent': 'codex_cli_rs/0.171.0 (Mac OS 15.0.0; arm64)',
        'session-id': codexSession,
      },
    });
    const earlier = history(300 * 1024).map((turn) =>
      turn.role === 'user'
        ? { role: 'user' as const, content: [{ type: 'input_text' as const, text: turn.content }] }
        : { role: 'assistant' as const, content: turn.content },
    );
    harness.fake.script({ kind: 'fixture', fixture: 'openai-responses/stream-reasoning-tools.sse' });
    const firstParams = {
      model: 'gpt-5-codex',
      stream: true as const,
      input: [...earlier, { role: 'user' as const, content: [{ type: 'input_text' as const, text: 'ls?' }] }],
    };
    const first = await codex.responses.create(firstParams).withResponse();
    for await (const _event of first.data) {
      // read to the end
    }
    expect(harness.fake.last().body.toString('utf8')).toBe(JSON.stringify(firstParams));
    const secondParams = {
      model: 'gpt-5-codex',
      input: [
        ...firstParams.input,
        {
          type: 'function_call' as const,
          call_id: 'call_ls',
          name: 'shell',
          arguments: '{"command":["ls"]}',
        },
        { type: 'function_call_output' as const, call_id: 'call_ls', output: filler.repeat(2000) },
      ],
    };
    const second = await codex.responses.create(secondParams).withResponse();
    expect(second.data.output.length).toBeGreaterThan(0);
    expect(harness.fake.last().body.toString('utf8')).toBe(JSON.stringify(secondParams));

    const firstId = first.response.headers.get('x-aibridge-interception-id') ?? '';
    const one = await readEndedInterception(getStore(), firstId);
    expect(one.interception).toMatchObject({
      client: 'Codex',
      client_session_id: codexSession,
      model: 'gpt-5-codex',
    });
    expect(one.userPrompts.map((prompt) => prompt.prompt)).toEqual(['ls?']);
    const two = await readEndedInterception(
      getStore(),
      second.response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(two.interception).toMatchObject({ thread_parent_id: firstId, thread_root_id: firstId });
    expect(two.userPrompts).toEqual([]);
    expect(two.tokenUsages).toMatchObject([{ input_tokens: 800, output_tokens: 90 }]);
  });

  it('forwards a large Gemini conversation through @google/genai and records its prompt', async () => {
    const client = new GoogleGenAI({
      apiKey: harness.member.token,
      httpOptions: { baseUrl: harness.providerUrl('gemini') },
    });
    const contents = [
      ...history(200 * 1024).map((turn) => ({
        role: turn.role === 'user' ? 'user' : 'model',
        parts: [{ text: turn.content }],
      })),
      { role: 'user', parts: [{ text: 'Quelle est la prochaine étape ? 🙂' }] },
    ];
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents });
    let id = '';
    for await (const chunk of stream) {
      id ||= chunk.sdkHttpResponse?.headers?.['x-aibridge-interception-id'] ?? '';
    }
    expect(JSON.parse(harness.fake.last().body.toString('utf8'))).toMatchObject({ contents });
    const stored = await readEndedInterception(getStore(), id);
    expect(stored.interception).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', error: null });
    expect(stored.userPrompts.map((prompt) => prompt.prompt)).toEqual(['Quelle est la prochaine étape ? 🙂']);
  });

  it('answers invalid UTF-8 found mid-body with the same 400 and cuts the upload short', async () => {
    const recordedBefore = await countInterceptions();
    const completeBefore = completeUploads('/v1/messages');
    const prefix = Buffer.from(
      `{"model":"claude-sonnet-5-5","max_tokens":8,"messages":${JSON.stringify(history(128 * 1024))}`,
    );
    const result = await sendInParts({
      path: '/anthropic/v1/messages',
      upstreamPath: '/v1/messages',
      headers: { authorization: `Bearer ${harness.member.token}` },
      first: [prefix.subarray(0, 64 * 1024), prefix.subarray(64 * 1024)],
      rest: [Buffer.from(',"metadata":{"user_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')],
    });
    if (!('status' in result)) throw new Error('no answer');
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Request body must be valid UTF-8 JSON.' },
    });
    const upload = await harness.fake.waitForUpload(
      (candidate) => candidate === result.upload && candidate.state !== 'receiving',
    );
    expect(upload.state).toBe('broken');
    expect(completeUploads('/v1/messages')).toBe(completeBefore);
    expect(await countInterceptions()).toBe(recordedBefore);
  });

  it('answers a body that is not a JSON object with the same 400 on the Responses endpoint and cuts the upload short', async () => {
    const recordedBefore = await countInterceptions();
    const completeBefore = completeUploads('/v1/responses');
    const input = Buffer.from(`{"model":"gpt-5-codex","input":${JSON.stringify(history(128 * 1024))}`);
    const cases: Array<[Buffer, string]> = [
      // The syntax error is in the last bytes: only the end of the body tells it is not JSON.
      [Buffer.from(',"stream":true'), 'Request body must be a JSON object: '],
      [Buffer.from('}]'), 'Request body must be a JSON object: '],
    ];
    for (const [ending, message] of cases) {
      const result = await sendInParts({
        path: '/openai/v1/responses',
        upstreamPath: '/v1/responses',
        headers: { authorization: `Bearer ${harness.member.token}` },
        first: [input.subarray(0, 64 * 1024), input.subarray(64 * 1024)],
        rest: [ending],
      });
      if (!('status' in result)) throw new Error('no answer');
      expect(result.status).toBe(400);
      expect(JSON.parse(result.body)).toMatchObject({
        error: {
          type: 'invalid_request_error',
          code: 'invalid_request_body',
          message: expect.stringContaining(message),
        },
      });
      const upload = await harness.fake.waitForUpload(
        (candidate) => candidate === result.upload && candidate.state !== 'receiving',
      );
      expect(upload.state).toBe('broken');
    }
    // A top-level array is JSON, but no request.
    const array = await sendInParts({
      path: '/openai/v1/responses',
      upstreamPath: '/v1/responses',
      headers: { authorization: `Bearer ${harness.member.token}` },
      first: [Buffer.from('[1,'), Buffer.from(`${JSON.stringify(filler.repeat(3000))},`)],
      rest: [Buffer.from('2]')],
    });
    if (!('status' in array)) throw new Error('no answer');
    expect(array.status).toBe(400);
    expect(JSON.parse(array.body)).toMatchObject({
      error: {
        code: 'invalid_request_body',
        message: 'Request body must be a JSON object: it is not a JSON object.',
      },
    });
    expect(completeUploads('/v1/responses')).toBe(completeBefore);
    expect(await countInterceptions()).toBe(recordedBefore);
  });

  it('cuts the upload short when a client leaves mid-upload, records nothing and keeps serving', async () => {
    const recordedBefore = await countInterceptions();
    const completeBefore = completeUploads('/v1/messages');
    const prefix = Buffer.from(
      `{"model":"claude-sonnet-5-5","max_tokens":8,"messages":${JSON.stringify(history(128 * 1024))}`,
    );
    const result = await sendInParts({
      path: '/anthropic/v1/messages',
      upstreamPath: '/v1/messages',
      headers: { authorization: `Bearer ${harness.member.token}` },
      first: [prefix.subarray(0, 64 * 1024), prefix.subarray(64 * 1024)],
      // Declared in the length, never sent.
      rest: [Buffer.from('}')],
      abandon: true,
    });
    const upload = await harness.fake.waitForUpload(
      (candidate) => candidate === result.upload && candidate.state !== 'receiving',
    );
    expect(upload.state).toBe('broken');
    expect(completeUploads('/v1/messages')).toBe(completeBefore);
    // Nothing was admitted: the recorder has nothing left to wait for.
    expect(await countInterceptions()).toBe(recordedBefore);

    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
    });
    const answer = await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'still there?' }],
    });
    expect(answer.type).toBe('message');
  });

  it('answers 413 when a chunked body outgrows the limit mid-upload, and cuts the upload short', async () => {
    const config = harness.server.context.config;
    const limit = config.maxBodySize;
    config.maxBodySize = 200 * 1024;
    try {
      const completeBefore = completeUploads('/v1/responses');
      const body = Buffer.from(JSON.stringify({ model: 'gpt-5-codex', input: history(300 * 1024) }));
      const result = await sendInParts({
        path: '/openai/v1/responses',
        upstreamPath: '/v1/responses',
        headers: { authorization: `Bearer ${harness.member.token}` },
        first: [body.subarray(0, 64 * 1024), body.subarray(64 * 1024, 128 * 1024)],
        rest: [body.subarray(128 * 1024)],
        chunked: true,
      });
      if (!('status' in result)) throw new Error('no answer');
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({
        error: { code: 'request_too_large', message: 'Request body is too large.' },
      });
      const upload = await harness.fake.waitForUpload(
        (candidate) => candidate === result.upload && candidate.state !== 'receiving',
      );
      expect(upload.state).toBe('broken');
      expect(upload.received).toBeLessThanOrEqual(200 * 1024);
      expect(completeUploads('/v1/responses')).toBe(completeBefore);
    } finally {
      config.maxBodySize = limit;
    }
  });

  it('answers 503 and completes no upload when the recorder cannot admit the request once its body is read', async () => {
    const completeBefore = completeUploads('/v1/messages');
    const admit = vi.spyOn(harness.server.context.recorder, 'admit').mockReturnValue(false);
    try {
      const body = Buffer.from(
        JSON.stringify({ model: 'claude-sonnet-5-5', max_tokens: 8, messages: history(200 * 1024) }),
      );
      const result = await sendInParts({
        path: '/anthropic/v1/messages',
        upstreamPath: '/v1/messages',
        headers: { authorization: `Bearer ${harness.member.token}` },
        first: [body.subarray(0, 64 * 1024), body.subarray(64 * 1024, 128 * 1024)],
        rest: [body.subarray(128 * 1024)],
      });
      if (!('status' in result)) throw new Error('no answer');
      expect(result.status).toBe(503);
      expect(JSON.parse(result.body)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
      expect(admit).toHaveBeenCalledTimes(1);
      const upload = await harness.fake.waitForUpload(
        (candidate) => candidate === result.upload && candidate.state !== 'receiving',
      );
      expect(upload.state).toBe('broken');
    } finally {
      admit.mockRestore();
    }
    expect(completeUploads('/v1/messages')).toBe(completeBefore);
  });
});
