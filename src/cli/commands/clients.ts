import type { Command } from 'commander';
import { distinctValuesCommand } from './distinct-values.js';

/** `aibridge clients list [prefix]`. */
export function clientsCommand(): Command {
  return distinctValuesCommand({ name: 'clients', noun: 'client' });
}
