/**
 * Every provider type is one folder with the same file set, so a reader finds the same thing in the same
 * place in each, and a new provider cannot leave a piece out.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { providerTypes } from './index.js';

const root = new URL('.', import.meta.url).pathname;

/** Folders of shared machinery, not provider APIs. */
const sharedFolders = ['events', 'json', 'prompt', 'sse'];

/** The files each endpoint folder holds (besides its `*-api.ts` wire description). */
const endpointFiles = [
  'index.ts',
  'parse-response.ts',
  'convert-usage.ts',
  'extract-prompt.ts',
  'extract-tool-calls.ts',
  'extract-thinking.ts',
];

const folders = (path: string) =>
  readdirSync(path).filter((name) => statSync(join(path, name)).isDirectory());
const files = (path: string) => readdirSync(path, { recursive: true }).map(String);

/** A provider folder is one endpoint folder, or holds one per API (OpenAI) beside a `shared/` folder. */
function endpointFolders(providerFolder: string): string[] {
  if (existsSync(join(providerFolder, 'parse-response.ts'))) return [providerFolder];
  return folders(providerFolder)
    .filter((name) => name !== 'shared')
    .map((name) => join(providerFolder, name));
}

describe('provider folders', () => {
  it('are exactly the registered provider types', () => {
    const providerFolders = folders(root).filter((name) => !sharedFolders.includes(name));
    expect(providerFolders.sort()).toEqual(providerTypes.map((info) => info.type).sort());
  });

  it.each(providerTypes.map((info) => info.type))('%s has the common files and tests', (type) => {
    const folder = join(root, type);
    expect(existsSync(join(folder, 'index.ts'))).toBe(true);
    expect(existsSync(join(folder, 'errors.ts')) || existsSync(join(folder, 'shared', 'errors.ts'))).toBe(
      true,
    );
    const endpoints = endpointFolders(folder);
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) {
      const present = readdirSync(endpoint);
      expect({ endpoint, missing: endpointFiles.filter((name) => !present.includes(name)) }).toEqual({
        endpoint,
        missing: [],
      });
      expect({ endpoint, wire: present.some((name) => name.endsWith('-api.ts')) }).toEqual({
        endpoint,
        wire: true,
      });
    }
    expect(files(folder).some((name) => name.endsWith('.test.ts'))).toBe(true);
  });
});
