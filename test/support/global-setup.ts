import { ensureTemplate } from './pglite-template.js';

/** Prepares the PGlite template once for the whole run. */
export default async function setup(): Promise<void> {
  await ensureTemplate();
}
