import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type Config,
  type LogFormat,
  type PassThroughRule,
  type ProviderConfig,
  type ProviderTypeInfo,
  providerNamePattern,
  queryRouteNames,
} from './config.js';
import { parsePassThroughList, parsePassThroughRule } from './parse-pass-through.js';
import {
  parseBoolean,
  parseByteSize,
  parseDuration,
  parseListen,
  parsePositiveInteger,
  parseUrl,
} from './parse-values.js';

/** A configuration problem: one line naming the setting and what is wrong. Stops start-up. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The scalar settings besides the providers': flag `--<key with dashes>`, env `AIBRIDGE_<KEY IN CAPS>`,
 * file key `<key>`.
 */
export const generalSettingKeys = [
  'listen',
  'data_dir',
  'database_url',
  'access_url',
  'admin_token_file',
  'retention',
  'allow_byok',
  'max_body_size',
  'shutdown_grace',
  'recorder_queue_size',
  'log_level',
  'log_format',
  'metrics_listen',
  'otel_endpoint',
  'workers',
] as const;

/** The settings of each provider type's default instance, named `<type>_<setting>`. */
export const providerSettings = ['base_url', 'key', 'pass_through'] as const;

/** Every scalar setting: the general ones, then each provider type's in registration order. */
export function settingKeysOf(providerTypes: readonly ProviderTypeInfo[]): string[] {
  const perProvider = providerTypes.flatMap(({ type }) =>
    providerSettings.map((setting) => `${type}_${setting}`),
  );
  return [...generalSettingKeys.slice(0, 4), ...perProvider, ...generalSettingKeys.slice(4)];
}

/** A setting key (see {@link settingKeysOf}). */
export type SettingKey = string;

/** Raw setting values by key, as strings (flags are kebab-case on the command line). */
export type RawSettings = Partial<Record<SettingKey, string>>;

const flagOf = (key: string) => `--${key.replaceAll('_', '-')}`;
const envOf = (key: string) => `AIBRIDGE_${key.toUpperCase()}`;

interface Sourced {
  value: string;
  /** How the user set it, for error messages: `--listen`, `AIBRIDGE_LISTEN`, `listen in config.yaml`. */
  where: string;
}

/**
 * Resolves the configuration with precedence flag > env > file > default. `configPath` comes from
 * `--config` or `AIBRIDGE_CONFIG`. Throws ConfigError on the first bad setting.
 */
export function loadConfig(input: {
  flags: RawSettings;
  env: NodeJS.ProcessEnv;
  configPath?: string;
  /** The registered provider types (`providerTypes` of `src/providers/index.ts`). */
  providerTypes: readonly ProviderTypeInfo[];
}): Config {
  const { providerTypes } = input;
  const configPath = input.configPath ?? input.env.AIBRIDGE_CONFIG;
  const keys = new Set(settingKeysOf(providerTypes));
  const file = configPath ? readConfigFile(configPath, keys) : { settings: {}, providers: [] };
  const pick = (key: SettingKey): Sourced | undefined => {
    const flag = input.flags[key];
    if (flag !== undefined) return { value: flag, where: flagOf(key) };
    const env = input.env[envOf(key)];
    if (env !== undefined && env !== '') return { value: env, where: envOf(key) };
    const fromFile = file.settings[key];
    if (fromFile !== undefined) return { value: fromFile, where: `${key} in ${configPath}` };
    return undefined;
  };
  const get = <T>(key: SettingKey, parse: (value: string) => T, fallback: T): T => {
    const sourced = pick(key);
    if (!sourced) return fallback;
    try {
      return parse(sourced.value);
    } catch (error) {
      throw new ConfigError(
        `invalid ${sourced.where} "${redactIfKey(key, sourced.value)}": ${(error as Error).message}`,
      );
    }
  };
  const text = (value: string) => value;
  const dataDir = get('data_dir', text, defaultDataDir(input.env));
  const httpUrl = (value: string) => parseUrl(value, ['http', 'https']);
  // Every provider type has a default instance named after it.
  const defaults: ProviderConfig[] = providerTypes.map(({ type, defaultBaseUrl }) => ({
    name: type,
    type,
    baseUrl: get(`${type}_base_url`, httpUrl, defaultBaseUrl),
    key: get(`${type}_key`, text, ''),
    ...passThroughOf(get(`${type}_pass_through`, parsePassThroughList, [])),
  }));
  const providers: ProviderConfig[] = [
    ...defaults,
    ...file.providers.map((entry, index) =>
      parseProvider(entry, { index, path: String(configPath), providerTypes }),
    ),
  ];
  const seen = new Set<string>();
  for (const [index, provider] of providers.entries()) {
    if (seen.has(provider.name)) {
      throw new ConfigError(
        `invalid providers[${index - defaults.length}].name in ${configPath}: duplicate provider name "${provider.name}"`,
      );
    }
    seen.add(provider.name);
  }
  const listen = get('listen', parseListen, { host: '127.0.0.1', port: 8080 });
  return {
    listen,
    dataDir,
    databaseUrl: get('database_url', (value) => parseUrl(value, ['postgres', 'postgresql']), undefined),
    accessUrl: get(
      'access_url',
      httpUrl,
      `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`,
    ),
    providers,
    adminTokenFile: get('admin_token_file', text, join(dataDir, 'admin-token')),
    retentionMs: get('retention', parseDuration, 60 * 86_400_000),
    allowByok: get('allow_byok', parseBoolean, true),
    maxBodySize: get('max_body_size', parseByteSize, 32 * 1024 * 1024),
    shutdownGraceMs: get('shutdown_grace', parseDuration, 30_000),
    recorderQueueSize: get('recorder_queue_size', parsePositiveInteger, 20_000),
    logLevel: get('log_level', parseLogLevel, 'info'),
    logFormat: get('log_format', parseLogFormat, 'auto'),
    metricsListen: get('metrics_listen', parseListen, undefined),
    otelEndpoint: get('otel_endpoint', httpUrl, standardOtlpEndpoint(input.env)),
    ...optional('workers', get('workers', parsePositiveInteger, undefined)),
  };
}

/** A setting whose default depends on others, left out when not set. */
function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME
    ? join(env.XDG_DATA_HOME, 'aibridge')
    : join(homedir(), '.local', 'share', 'aibridge');
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
function parseLogLevel(value: string): string {
  if (!logLevels.includes(value)) throw new Error(`expected one of ${logLevels.join(', ')}`);
  return value;
}

/** The OpenTelemetry SDKs' own variable, honoured when the bridge's setting is not given. */
function standardOtlpEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!value) return undefined;
  try {
    return parseUrl(value, ['http', 'https']);
  } catch (error) {
    throw new ConfigError(`invalid OTEL_EXPORTER_OTLP_ENDPOINT "${value}": ${(error as Error).message}`);
  }
}

const logFormats = ['auto', 'json', 'pretty'] as const;
function parseLogFormat(value: string): LogFormat {
  const found = logFormats.find((format) => format === value);
  if (!found) throw new Error(`expected one of ${logFormats.join(', ')}`);
  return found;
}

/** Keys are never echoed back, not even in an error. */
function redactIfKey(key: string, value: string): string {
  return key.endsWith('_key') ? '[redacted]' : value;
}

function readConfigFile(
  path: string,
  settingKeys: ReadonlySet<string>,
): { settings: RawSettings; providers: unknown[] } {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined) return { settings: {}, providers: [] };
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`invalid config file ${path}: expected a mapping of settings`);
  }
  const settings: RawSettings = {};
  let providers: unknown[] = [];
  for (const [key, value] of Object.entries(document)) {
    if (key === 'providers') {
      if (!Array.isArray(value)) throw new ConfigError(`invalid providers in ${path}: expected a list`);
      providers = value;
    } else if (settingKeys.has(key)) {
      // A pass-through list may be written as a YAML list; it is read like its comma-separated form.
      if (
        key.endsWith('_pass_through') &&
        Array.isArray(value) &&
        value.every((item) => typeof item === 'string')
      ) {
        settings[key] = value.join(',');
        continue;
      }
      if (value === null || typeof value === 'object') {
        throw new ConfigError(`invalid ${key} in ${path}: expected a single value`);
      }
      settings[key] = String(value);
    } else {
      throw new ConfigError(`unknown setting "${key}" in ${path}`);
    }
  }
  return { settings, providers };
}

/** The optional `passThrough` field: absent when the list is empty. */
function passThroughOf(rules: PassThroughRule[]): { passThrough?: PassThroughRule[] } {
  return rules.length > 0 ? { passThrough: rules } : {};
}

function parseProvider(
  entry: unknown,
  at: { index: number; path: string; providerTypes: readonly ProviderTypeInfo[] },
): ProviderConfig {
  const where = (field?: string) => `providers[${at.index}]${field ? `.${field}` : ''} in ${at.path}`;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ConfigError(`invalid ${where()}: expected {name, type, base_url, key, pass_through}`);
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['name', 'type', 'base_url', 'key', 'pass_through'].includes(key))
      throw new ConfigError(`unknown setting "${key}" in ${where()}`);
  }
  const name = fields.name;
  if (typeof name !== 'string' || !providerNamePattern.test(name)) {
    throw new ConfigError(
      `invalid ${where('name')} "${String(name)}": expected lowercase words joined by dashes`,
    );
  }
  if (queryRouteNames.includes(name)) {
    throw new ConfigError(
      `invalid ${where('name')} "${name}": the query API uses /api/v2/aibridge/${name}; choose another name`,
    );
  }
  const type = fields.type;
  const known = at.providerTypes.find((info) => info.type === type);
  if (known === undefined) {
    const names = at.providerTypes.map((info) => info.type);
    const expected = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    throw new ConfigError(`invalid ${where('type')} "${String(type)}": expected ${expected}`);
  }
  let baseUrl = known.defaultBaseUrl;
  if (fields.base_url !== undefined) {
    try {
      baseUrl = parseUrl(String(fields.base_url), ['http', 'https']);
    } catch (error) {
      throw new ConfigError(
        `invalid ${where('base_url')} "${String(fields.base_url)}": ${(error as Error).message}`,
      );
    }
  }
  const key = fields.key === undefined ? '' : String(fields.key);
  const passThrough = fields.pass_through ?? [];
  if (!Array.isArray(passThrough)) {
    throw new ConfigError(`invalid ${where('pass_through')}: expected a list such as ["GET /v1/files"]`);
  }
  const rules = passThrough.map((rule: unknown, index) => {
    try {
      return parsePassThroughRule(rule);
    } catch (error) {
      throw new ConfigError(
        `invalid ${where(`pass_through[${index}]`)} "${String(rule)}": ${(error as Error).message}`,
      );
    }
  });
  return { name, type: known.type, baseUrl, key, ...passThroughOf(rules) };
}
