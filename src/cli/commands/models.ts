import type { Command } from 'commander';
import { distinctValuesCommand } from './distinct-values.js';

/** `aibridge models list [prefix]`. */
export function modelsCommand(): Command {
  return distinctValuesCommand({ name: 'models', noun: 'model' });
}
