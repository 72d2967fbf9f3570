import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrations } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open-store.js';

/**
 * A PGlite data directory with every migration applied, made once per schema version and copied for each
 * test file: initdb takes seconds, a copy milliseconds.
 */
export function templateDir(): string {
  const hash = createHash('sha256')
    .update(migrations.map((migration) => migration.sql).join('\n'))
    // Bumped when openStore leaves a new database differently (2: record tables analyzed after migrating).
    .update('template 2')
    .digest('hex')
    .slice(0, 12);
  return join(tmpdir(), `aibridge-pglite-template-${hash}`);
}

/** Creates the template when it does not exist yet (called from vitest's global setup). */
export async function ensureTemplate(): Promise<void> {
  const target = templateDir();
  if (existsSync(target)) return;
  const building = mkdtempSync(join(tmpdir(), 'aibridge-pglite-building-'));
  const store = await openStore({ dataDir: building });
  await store.close();
  try {
    renameSync(building, target);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
}

/** A fresh copy of the template; the caller removes it when done. */
export function copyTemplate(): string {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-pglite-test-'));
  cpSync(templateDir(), directory, { recursive: true });
  return directory;
}
