import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { interceptionsCommand } from '../../src/cli/commands/interceptions.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readEndedInterception, startProxyHarness } from './harness.js';

interface Interception {
  id: string;
  error_type: string | null;
  error_message: string | null;
  upstream_status: number | null;
}
interface Page {
  count: number;
  results: Interception[];
}
interface Thread {
  id: string;
  error_type: string | null;
  error_message: string | null;
  upstream_status: number | null;
}

const anthropicError = (type: string, message: string) =>
  JSON.stringify({ type: 'error', error: { type, message } });

describeEachDatabase('failures visible in the query API', (getStore) => {
  let harness: ProxyHarness;
  let anthropic: Anthropic;
  let openai: OpenAI;
  const ids = { badRequest: '', rateLimit: '', overloaded: '', streamOverloaded: '', success: '' };

  /** The interception id the bridge put on a failed call's response. */
  const idOf = (error: unknown) => {
    expect(error).toBeInstanceOf(Error);
    return (error as { headers?: Headers }).headers?.get('x-aibridge-interception-id') ?? '';
  };
  const list = async (q: string) => {
    const response = await harness.server.api(`/api/v2/aibridge/interceptions?q=${encodeURIComponent(q)}`);
    expect(response.status, q).toBe(200);
    return (await response.json()) as Page;
  };

  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
    const options = { apiKey: harness.member.token, maxRetries: 0 };
    anthropic = new Anthropic({ ...options, baseURL: harness.providerUrl('anthropic') });
    openai = new OpenAI({ ...options, baseURL: `${harness.providerUrl('openai')}/v1` });
    const message = {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };

    harness.fake.script({
      kind: 'status',
      status: 400,
      body: JSON.stringify({
        error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', code: null },
      }),
    });
    const badRequest = await openai.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], temperature: 9 })
      .catch((error: unknown) => error);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    ids.badRequest = idOf(badRequest);

    harness.fake.script({
      kind: 'status',
      status: 429,
      body: anthropicError(
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit',
      ),
    });
    const rateLimit = await anthropic.messages.create(message).catch((error: unknown) => error);
    expect(rateLimit).toBeInstanceOf(Anthropic.RateLimitError);
    ids.rateLimit = idOf(rateLimit);

    harness.fake.script({
      kind: 'status',
      status: 529,
      body: anthropicError('overloaded_error', 'Overloaded'),
    });
    const overloaded = await anthropic.messages.create(message).catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    ids.overloaded = idOf(overloaded);

    // Anthropic also reports overload inside a stream that began with 200.
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-overloaded.sse' });
    const stream = anthropic.messages.stream(message);
    const streamed = await stream.finalMessage().catch((error: unknown) => error);
    expect(streamed).toBeInstanceOf(Anthropic.APIError);
    ids.streamOverloaded =
      (await stream.withResponse()).response.headers.get('x-aibridge-interception-id') ?? '';

    const success = await anthropic.messages.create(message).withResponse();
    ids.success = success.response.headers.get('x-aibridge-interception-id') ?? '';

    for (const id of Object.values(ids)) {
      expect(id).not.toBe('');
      await readEndedInterception(getStore(), id);
    }
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('shows error_type, error_message and upstream_status on every interception', async () => {
    const page = await list('');
    const byId = new Map(page.results.map((row) => [row.id, row]));
    expect(byId.get(ids.badRequest)).toMatchObject({
      error_type: 'bad_request',
      error_message: "Invalid value for 'temperature'.",
      upstream_status: 400,
    });
    expect(byId.get(ids.rateLimit)).toMatchObject({
      error_type: 'rate_limit',
      error_message: 'Number of request tokens has exceeded your per-minute rate limit',
      upstream_status: 429,
    });
    expect(byId.get(ids.overloaded)).toMatchObject({
      error_type: 'overloaded',
      error_message: 'Overloaded',
      upstream_status: 529,
    });
    expect(byId.get(ids.streamOverloaded)).toMatchObject({
      error_type: 'overloaded',
      error_message: 'Overloaded',
      upstream_status: 200,
    });
    expect(byId.get(ids.success)).toMatchObject({
      error_type: null,
      error_message: null,
      upstream_status: 200,
    });
  });

  it('filters by has_error and error, the count agreeing with the page', async () => {
    const failed = await list('has_error:true');
    expect(new Set(failed.results.map((row) => row.id))).toEqual(
      new Set([ids.badRequest, ids.rateLimit, ids.overloaded, ids.streamOverloaded]),
    );
    expect(failed.count).toBe(4);
    const succeeded = await list('has_error:false');
    expect(succeeded.results.map((row) => row.id)).toEqual([ids.success]);
    expect(succeeded.count).toBe(1);
    const rateLimited = await list('error:rate_limit');
    expect(rateLimited.results.map((row) => row.id)).toEqual([ids.rateLimit]);
    expect(rateLimited.count).toBe(1);
    const overloaded = await list('error:overloaded provider:anthropic');
    expect(overloaded.results.map((row) => row.id)).toEqual([ids.streamOverloaded, ids.overloaded]);
    expect(overloaded.count).toBe(2);
    expect((await list('error:timeout')).count).toBe(0);
  });

  it('finds the sessions with a failure, the count agreeing with the page', async () => {
    const sessions = async (q: string) => {
      const response = await harness.server.api(`/api/v2/aibridge/sessions?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
      return (await response.json()) as { count: number; sessions: { id: string }[] };
    };
    // Each request here is a session of its own: none sent a session id.
    const failed = await sessions('has_error:true');
    expect(new Set(failed.sessions.map((session) => session.id))).toEqual(
      new Set([ids.badRequest, ids.rateLimit, ids.overloaded, ids.streamOverloaded]),
    );
    expect(failed.count).toBe(4);
    const fine = await sessions('has_error:false');
    expect(fine).toEqual({ count: 1, sessions: [expect.objectContaining({ id: ids.success })] });
    const rateLimited = await sessions('error:rate_limit');
    expect(rateLimited).toEqual({ count: 1, sessions: [expect.objectContaining({ id: ids.rateLimit })] });
  });

  it('refuses an unknown error type or a has_error that is not a boolean', async () => {
    const response = await harness.server.api(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent('error:teapot has_error:maybe')}`,
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { validations: { field: string }[] };
    expect(body.validations.map((validation) => validation.field).sort()).toEqual(['error', 'has_error']);
  });

  it("shows the same fields on the session's thread", async () => {
    for (const [id, expected] of [
      [ids.badRequest, { error_type: 'bad_request', upstream_status: 400 }],
      [ids.rateLimit, { error_type: 'rate_limit', upstream_status: 429 }],
      [ids.overloaded, { error_type: 'overloaded', error_message: 'Overloaded', upstream_status: 529 }],
      [ids.success, { error_type: null, error_message: null, upstream_status: 200 }],
    ] as const) {
      const response = await harness.server.api(`/api/v2/aibridge/sessions/${id}`);
      expect(response.status).toBe(200);
      const session = (await response.json()) as { threads: Thread[] };
      expect(session.threads).toEqual([expect.objectContaining({ id, ...expected })]);
    }
  });

  it("shows each interception's status in the CLI list, and filters with --has-error and --error", async () => {
    const lines = async (args: string[]) => {
      let stdout = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        stdout += String(chunk);
        return true;
      });
      try {
        await interceptionsCommand()
          .exitOverride()
          .parseAsync(['list', ...args, '--url', harness.server.url, '--token', harness.server.adminToken], {
            from: 'user',
          });
      } finally {
        spy.mockRestore();
      }
      return stdout.trimEnd().split('\n');
    };
    const all = await lines([]);
    expect(all[0]).toMatch(/\bSTATUS\b/);
    const row = (id: string) => all.find((line) => line.includes(id)) ?? '';
    expect(row(ids.badRequest)).toMatch(/\sbad_request 400\s/);
    expect(row(ids.rateLimit)).toMatch(/\srate_limit 429\s/);
    expect(row(ids.overloaded)).toMatch(/\soverloaded 529\s/);
    expect(row(ids.success)).toMatch(/\sok\s/);
    const failed = await lines(['--has-error', 'true']);
    expect(failed).toHaveLength(5);
    const rateLimited = await lines(['--error', 'rate_limit']);
    expect(rateLimited).toHaveLength(2);
    expect(rateLimited[1]).toContain(ids.rateLimit);
  });
});
