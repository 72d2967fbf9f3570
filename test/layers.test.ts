/**
 * The layers of src/ depend downward only: shared vocabulary (files at the root of src/) → core →
 * observability → config →
 * providers → store → auth → recorder → search → proxy | api → server → cli. A file may import from its
 * own layer and the layers below; proxy and api are siblings and import nothing of each other. Type-only
 * imports count: a type from above ties the lower layer to the upper one's changes all the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const source = resolve(import.meta.dirname, '../src');

/** Each layer's rank; equal ranks are siblings. */
const ranks: Record<string, number> = {
  '': 0,
  core: 1,
  observability: 1.5,
  config: 2,
  providers: 3,
  store: 4,
  auth: 5,
  recorder: 6,
  search: 7,
  proxy: 8,
  api: 8,
  server: 9,
  cli: 10,
};

/** The module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

/** The layer of a path relative to src/: its first folder, or '' for a file at the root. */
function layerOf(path: string): string {
  const parts = path.split('/');
  return parts.length > 1 ? (parts[0] ?? '') : '';
}

/** `importer -> imported` for every import of a file in src/ that reaches into a layer it may not use. */
function layerViolations(files: readonly { path: string; text: string }[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    const rank = ranks[from];
    if (rank === undefined) {
      violations.push(`${file.path}: in no layer (add its folder to the layer list)`);
      continue;
    }
    for (const [, , fileName = ''] of file.text.matchAll(specifiers)) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(source, resolve(source, dirname(file.path), fileName))
        .split('\\')
        .join('/');
      if (target.startsWith('..')) continue;
      const to = layerOf(target);
      if (to === from) continue;
      const targetRank = ranks[to];
      if (targetRank === undefined || targetRank >= rank) violations.push(`${file.path} -> ${target}`);
    }
  }
  return violations;
}

function sourceFiles(directory: string): { path: string; text: string }[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    if (!entry.name.endsWith('.ts')) return [];
    return [{ path: relative(source, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }];
  });
}

describe('layers of src/', () => {
  it('has no file importing from a layer above it or from a sibling layer', () => {
    expect(layerViolations(sourceFiles(source))).toEqual([]);
  });

  it('finds imports upward, type-only ones, re-exports and imports between siblings', () => {
    const files = [
      { path: 'store/a.ts', text: "import { HttpError } from '../api/http-error.js';" },
      { path: 'core/b.ts', text: "import type { Recorder } from '../recorder/recorder.js';" },
      { path: 'auth/c.ts', text: "export { version } from '../server/version.js';" },
      { path: 'proxy/d.ts', text: "import { x } from '../api/x.js';" },
      { path: 'e.ts', text: "const m = await import('./core/ids.js');" },
      { path: 'api/f/g.ts', text: "import { y } from '../../store/y.js';\nimport { z } from '../h.js';" },
    ];
    expect(layerViolations(files)).toEqual([
      'store/a.ts -> api/http-error.js',
      'core/b.ts -> recorder/recorder.js',
      'auth/c.ts -> server/version.js',
      'proxy/d.ts -> api/x.js',
      'e.ts -> core/ids.js',
    ]);
  });
});
