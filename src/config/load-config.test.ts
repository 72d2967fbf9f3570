import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

// The configuration knows provider types only through this list; the registry supplies the real one.
const providerTypes = [
  { type: 'openai', defaultBaseUrl: 'https://api.openai.com/v1' },
  { type: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com' },
];

const directory = mkdtempSync(join(tmpdir(), 'aibridge-config-'));
function configFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({ providerTypes, flags: {}, env: { XDG_DATA_HOME: '/data' } });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.dataDir).toBe('/data/aibridge');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.adminTokenFile).toBe('/data/aibridge/admin-token');
    expect(config.retentionMs).toBe(60 * 86_400_000);
    expect(config.allowByok).toBe(true);
    expect(config.maxBodySize).toBe(32 * 1024 * 1024);
    expect(config.providers).toEqual([
      { name: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1', key: '' },
      { name: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.com', key: '' },
    ]);
  });

  it('takes a flag over env over file over default', () => {
    const file = configFile('precedence.yaml', 'listen: 10.0.0.1:1000\nretention: 1d\nallow_byok: false\n');
    const env = { AIBRIDGE_LISTEN: '10.0.0.2:2000', AIBRIDGE_RETENTION: '2d' };
    const config = loadConfig({ providerTypes, flags: { listen: '10.0.0.3:3000' }, env, configPath: file });
    expect(config.listen).toEqual({ host: '10.0.0.3', port: 3000 });
    expect(config.retentionMs).toBe(2 * 86_400_000);
    expect(config.allowByok).toBe(false);
    expect(loadConfig({ providerTypes, flags: {}, env: {}, configPath: file }).listen).toEqual({
      host: '10.0.0.1',
      port: 1000,
    });
  });

  it('reads the config file path from AIBRIDGE_CONFIG', () => {
    const file = configFile('env-path.yaml', 'max_body_size: 1MiB\n');
    expect(loadConfig({ providerTypes, flags: {}, env: { AIBRIDGE_CONFIG: file } }).maxBodySize).toBe(
      1024 * 1024,
    );
  });

  it('adds provider instances from the file', () => {
    const file = configFile(
      'providers.yaml',
      'providers:\n  - name: azure-eu\n    type: openai\n    base_url: https://eu.example.com/v1/\n    key: k1\n',
    );
    const config = loadConfig({ providerTypes, flags: {}, env: {}, configPath: file });
    expect(config.providers[2]).toEqual({
      name: 'azure-eu',
      type: 'openai',
      baseUrl: 'https://eu.example.com/v1',
      key: 'k1',
    });
  });

  it('reads an instance pass-through list', () => {
    const file = configFile(
      'pass-through.yaml',
      'providers:\n  - name: files\n    type: openai\n    pass_through: ["GET /v1/files", "delete  /v1/files/{file_id}"]\n',
    );
    const config = loadConfig({ providerTypes, flags: {}, env: {}, configPath: file });
    expect(config.providers[2]?.passThrough).toEqual([
      { method: 'GET', path: '/v1/files' },
      { method: 'DELETE', path: '/v1/files/{file_id}' },
    ]);
  });

  it('extends the default instances from a flag, the env or a YAML list', () => {
    const fromFlag = loadConfig({
      providerTypes,
      flags: { openai_pass_through: 'GET /v1/files, POST /v1/embeddings' },
      env: {},
    });
    expect(fromFlag.providers[0]?.passThrough).toEqual([
      { method: 'GET', path: '/v1/files' },
      { method: 'POST', path: '/v1/embeddings' },
    ]);
    const fromEnv = loadConfig({
      providerTypes,
      flags: {},
      env: { AIBRIDGE_ANTHROPIC_PASS_THROUGH: 'GET /v1/files' },
    });
    expect(fromEnv.providers[1]?.passThrough).toEqual([{ method: 'GET', path: '/v1/files' }]);
    const file = configFile('default-list.yaml', 'openai_pass_through:\n  - GET /v1/files\n');
    expect(
      loadConfig({ providerTypes, flags: {}, env: {}, configPath: file }).providers[0]?.passThrough,
    ).toEqual([{ method: 'GET', path: '/v1/files' }]);
    expect(() =>
      loadConfig({ providerTypes, flags: { openai_pass_through: 'GET /v1/../users' }, env: {} }),
    ).toThrow(
      'invalid --openai-pass-through "GET /v1/../users": "GET /v1/../users": invalid path segment ".."',
    );
  });

  it('reads a placeholder that shares its segment with a method suffix', () => {
    const config = loadConfig({
      providerTypes,
      flags: { anthropic_pass_through: 'POST /v1beta/models/{model}:batchEmbedContents' },
      env: {},
    });
    expect(config.providers[1]?.passThrough).toEqual([
      { method: 'POST', path: '/v1beta/models/{model}:batchEmbedContents' },
    ]);
    expect(() =>
      loadConfig({ providerTypes, flags: { anthropic_pass_through: 'POST /v1/{model' }, env: {} }),
    ).toThrow('invalid path segment "{model"');
  });

  it('stops on a bad pass-through entry with one line naming it', () => {
    const cases: Array<[string, string]> = [
      ['"GET v1/files"', 'expected "METHOD /path"'],
      ['"FETCH /v1/files"', 'unknown method "FETCH"'],
      ['"GET /v1/../users"', 'invalid path segment ".."'],
      ['"GET /v1/%2e%2e/users"', 'invalid path segment "%2e%2e"'],
      ['"GET /v1//files"', 'invalid path segment ""'],
      ['{path: /v1/files}', 'expected "METHOD /path"'],
    ];
    for (const [entry, reason] of cases) {
      const file = configFile(
        'bad-pass-through.yaml',
        `providers:\n  - {name: x, type: openai, pass_through: [${entry}]}\n`,
      );
      expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
        new RegExp(
          `^invalid providers\\[0\\]\\.pass_through\\[0\\] in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );
    }
    const notList = configFile(
      'not-list.yaml',
      'providers:\n  - {name: x, type: openai, pass_through: "GET /v1/files"}\n',
    );
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: notList })).toThrow(
      `invalid providers[0].pass_through in ${notList}: expected a list such as ["GET /v1/files"]`,
    );
  });

  it('reads the worker count from a flag, the env or the file; unset leaves the default to the server', () => {
    const env = { XDG_DATA_HOME: '/data' };
    expect(loadConfig({ providerTypes, flags: {}, env }).workers).toBeUndefined();
    expect(loadConfig({ providerTypes, flags: { workers: '4' }, env }).workers).toBe(4);
    expect(loadConfig({ providerTypes, flags: {}, env: { ...env, AIBRIDGE_WORKERS: '3' } }).workers).toBe(3);
    const file = configFile('workers.yaml', 'workers: 2\n');
    expect(loadConfig({ providerTypes, flags: {}, env, configPath: file }).workers).toBe(2);
    expect(() => loadConfig({ providerTypes, flags: { workers: '0' }, env })).toThrow(
      'invalid --workers "0": expected a positive integer',
    );
  });

  it('keeps 0 retention as forever', () => {
    expect(loadConfig({ providerTypes, flags: { retention: '0' }, env: {} }).retentionMs).toBe(0);
  });

  const failures: Array<[string, () => unknown, string]> = [
    [
      'a bad listen address',
      () => loadConfig({ providerTypes, flags: { listen: 'localhost' }, env: {} }),
      'invalid --listen "localhost": expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080',
    ],
    [
      'a port out of range',
      () => loadConfig({ providerTypes, flags: {}, env: { AIBRIDGE_LISTEN: '127.0.0.1:70000' } }),
      'invalid AIBRIDGE_LISTEN "127.0.0.1:70000": expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080',
    ],
    [
      'a database URL that is not PostgreSQL',
      () => loadConfig({ providerTypes, flags: { database_url: 'mysql://x/y' }, env: {} }),
      'invalid --database-url "mysql://x/y": expected a URL with protocol postgres or postgresql',
    ],
    [
      'a provider base URL that is not a URL',
      () => loadConfig({ providerTypes, flags: {}, env: { AIBRIDGE_OPENAI_BASE_URL: 'not a url' } }),
      'invalid AIBRIDGE_OPENAI_BASE_URL "not a url": expected a URL (http, https)',
    ],
    [
      'a bad retention',
      () => loadConfig({ providerTypes, flags: { retention: 'forever' }, env: {} }),
      'invalid --retention "forever": expected a duration such as 60d, 12h or 1h30m, or 0',
    ],
    [
      'a bad boolean',
      () => loadConfig({ providerTypes, flags: { allow_byok: 'maybe' }, env: {} }),
      'invalid --allow-byok "maybe": expected true or false',
    ],
    [
      'a bad body size',
      () => loadConfig({ providerTypes, flags: { max_body_size: 'big' }, env: {} }),
      'invalid --max-body-size "big": expected a size such as 32MiB, 512KB or 1048576',
    ],
  ];
  for (const [what, load, message] of failures) {
    it(`stops on ${what} with one line naming the setting`, () => {
      expect(load).toThrow(message);
    });
  }

  it('stops on an unknown key in the file', () => {
    const file = configFile('unknown.yaml', 'listen: 127.0.0.1:1\nlisten_port: 9\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `unknown setting "listen_port" in ${file}`,
    );
  });

  it('stops on a bad value in the file, naming the file', () => {
    const file = configFile('bad-value.yaml', 'access_url: nope\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `invalid access_url in ${file} "nope": expected a URL (http, https)`,
    );
  });

  it('stops on a duplicate provider name', () => {
    const file = configFile(
      'duplicate.yaml',
      'providers:\n  - {name: eu, type: openai}\n  - {name: eu, type: anthropic}\n',
    );
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `invalid providers[1].name in ${file}: duplicate provider name "eu"`,
    );
  });

  it('stops on a provider named like a default instance', () => {
    const file = configFile('default-name.yaml', 'providers:\n  - {name: openai, type: openai}\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `invalid providers[0].name in ${file}: duplicate provider name "openai"`,
    );
  });

  it('stops on a provider named like a query route, which would shadow it', () => {
    const file = configFile('route-name.yaml', 'providers:\n  - {name: sessions, type: openai}\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `invalid providers[0].name in ${file} "sessions": the query API uses /api/v2/aibridge/sessions; choose another name`,
    );
  });

  it('stops on a bad provider name or type', () => {
    const badName = configFile('bad-name.yaml', 'providers:\n  - {name: Bad_Name, type: openai}\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: badName })).toThrow(
      `invalid providers[0].name in ${badName} "Bad_Name": expected lowercase words joined by dashes`,
    );
    const badType = configFile('bad-type.yaml', 'providers:\n  - {name: x, type: gemini}\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: badType })).toThrow(
      `invalid providers[0].type in ${badType} "gemini": expected openai or anthropic`,
    );
  });

  it('never echoes a provider key in an error', () => {
    const file = configFile('key.yaml', 'openai_key: {nested: sk-secret}\n');
    expect(() => loadConfig({ providerTypes, flags: {}, env: {}, configPath: file })).toThrow(
      `invalid openai_key in ${file}: expected a single value`,
    );
  });

  it('stops on a missing config file', () => {
    expect(() =>
      loadConfig({ providerTypes, flags: {}, env: {}, configPath: join(directory, 'missing.yaml') }),
    ).toThrow(/^cannot read config file .*missing\.yaml: ENOENT/);
  });
});
