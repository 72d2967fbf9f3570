/** A bridge and a fake provider wired together for proxy tests, and readers of what the bridge recorded. */
import type { Config, ProviderConfig } from '../../src/config/config.js';
import type { Store } from '../../src/store/open-store.js';
import { FakeProvider } from '../fake-provider/fake-provider.js';
import { startTestServer, type TestServer } from '../support/server.js';

export const centralOpenaiKey = 'sk-central-openai-0123456789abcd';
export const centralAnthropicKey = 'sk-ant-central-0123456789wxyz';

/** A running bridge over `store`, its providers pointed at a fake, and a member with a token. */
export interface ProxyHarness {
  fake: FakeProvider;
  server: TestServer;
  member: { id: string; username: string; token: string };
  /** `<bridge>/api/v2/aibridge/<name>`. */
  providerUrl(name: string): string;
  close(): Promise<void>;
}

/** Starts a fake provider and a bridge with instances `openai`, `anthropic` and `azure-eu` (OpenAI type). */
export async function startProxyHarness(
  store: Store,
  config: Partial<Config> = {},
  extraProviders: ProviderConfig[] | ((fakeUrl: string) => ProviderConfig[]) = [],
): Promise<ProxyHarness> {
  const fake = await FakeProvider.start();
  const providers: ProviderConfig[] = [
    { name: 'openai', type: 'openai', baseUrl: `${fake.url}/v1`, key: centralOpenaiKey },
    { name: 'anthropic', type: 'anthropic', baseUrl: fake.url, key: centralAnthropicKey },
    { name: 'azure-eu', type: 'openai', baseUrl: `${fake.url}/v1`, key: centralOpenaiKey },
    ...(typeof extraProviders === 'function' ? extraProviders(fake.url) : extraProviders),
  ];
  const server = await startTestServer({ store, config: { providers, ...config } });
  const member = await server.createUser(`member-${Math.random().toString(36).slice(2, 8)}`);
  return {
    fake,
    server,
    member,
    providerUrl: (name) => `${server.url}/api/v2/aibridge/${name}`,
    close: async () => {
      await server.close();
      await fake.close();
    },
  };
}

/** Waits until the interception is stored and ended (its records are queued when its response ends). */
export async function readEndedInterception(store: Store, id: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await readInterception(store, id);
    if (stored.interception?.ended_at) return stored;
    if (Date.now() > deadline) throw new Error(`interception ${id} was not recorded as ended`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An interception as stored, with its children. */
export async function readInterception(store: Store, id: string) {
  const db = store.db;
  const interception = await db
    .selectFrom('aibridge_interceptions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const byInterception = { interception_id: id };
  const [tokenUsages, userPrompts, toolUsages, thoughts] = await Promise.all([
    db
      .selectFrom('aibridge_token_usages')
      .selectAll()
      .where('interception_id', '=', byInterception.interception_id)
      .execute(),
    db.selectFrom('aibridge_user_prompts').selectAll().where('interception_id', '=', id).execute(),
    db
      .selectFrom('aibridge_tool_usages')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('aibridge_model_thoughts')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('id')
      .execute(),
  ]);
  return { interception, tokenUsages, userPrompts, toolUsages, thoughts };
}
