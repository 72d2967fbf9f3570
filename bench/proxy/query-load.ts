/**
 * The query side of the proxy benchmark: a bridge's database filled with a history before it starts, and
 * a loop of the query API's heaviest requests (the sessions list and the unfiltered interceptions page,
 * one after the other as a dashboard would) run beside the proxy load.
 */
import { pino } from 'pino';
import { bootstrapAdmin } from '../../src/server/bootstrap-admin.js';
import { analyzeRecordTables } from '../../src/store/keep-statistics.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import { buildRollups } from '../query/build-rollups.js';
import { generateHistory } from '../query/generate-history.js';

/**
 * Creates the owner (its token in `tokenFile`, as the server's first start would), then `interceptions`
 * interceptions of history with their rollups, analyzed as the statistics upkeep would leave them.
 */
export async function prepareHistory(input: {
  store: StoreOptions;
  tokenFile: string;
  interceptions: number;
}): Promise<void> {
  const store = await openStore(input.store);
  try {
    const token = await bootstrapAdmin({
      store,
      tokenFile: input.tokenFile,
      logger: pino({ level: 'silent' }),
    });
    if (token === null) throw new Error('the history needs an empty database');
    await generateHistory(store.db, { interceptions: input.interceptions, users: 200, days: 90 });
    await buildRollups(store.db);
    await analyzeRecordTables(store.db);
  } finally {
    await store.close();
  }
}

/** A running query loop; stop() ends it and returns what it did. */
export interface QueryLoop {
  stop(): Promise<{ requests: number; perSecond: number; latencies: number[] }>;
}

const heaviest = ['/api/v2/aibridge/sessions', '/api/v2/aibridge/interceptions'];

/** Requests the heaviest query pages one after another against `baseUrl` until stopped. */
export function startQueryLoop(baseUrl: string, token: string): QueryLoop {
  let running = true;
  const latencies: number[] = [];
  const started = performance.now();
  const loop = (async () => {
    for (let index = 0; running; index += 1) {
      const path = heaviest[index % heaviest.length] as string;
      const requested = performance.now();
      const response = await fetch(`${baseUrl}${path}`, { headers: { 'coder-session-token': token } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      latencies.push(performance.now() - requested);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const seconds = (performance.now() - started) / 1000;
      return { requests: latencies.length, perSecond: latencies.length / seconds, latencies };
    },
  };
}
