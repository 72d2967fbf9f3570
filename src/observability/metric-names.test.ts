import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricNames } from './metric-names.js';
import { Metrics } from './metrics.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
) as { panels: { targets: { expr: string }[] }[] };
const names = new Set<string>(Object.values(metricNames));

describe('metric names', () => {
  it('names every aibridge series the metrics export, and the README documents each name', async () => {
    const metrics = new Metrics({ recorderQueueDepth: () => 0, databasePool: () => null });
    const exported = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    const ours = exported.filter((name) => name.startsWith('aibridge_'));
    expect(ours.sort()).toEqual([...names].filter((name) => name.startsWith('aibridge_')).sort());
    for (const name of names) {
      expect(exported, name).toContain(name);
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('has a Grafana dashboard whose queries use only these names', () => {
    const used = dashboard.panels
      .flatMap((panel) => panel.targets)
      .flatMap((target) =>
        [...target.expr.matchAll(/\b(?:aibridge|process|nodejs)_\w+/g)].map((match) => match[0]),
      )
      .map((name) => name.replace(/_(bucket|count|sum)$/, ''));
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(names, name).toContain(name);
    // Every aibridge series appears on the dashboard.
    for (const name of names) if (name.startsWith('aibridge_')) expect(used, name).toContain(name);
  });
});
