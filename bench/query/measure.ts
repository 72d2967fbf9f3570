/** Times HTTP requests one after another (no concurrency: latency, not throughput) and reports percentiles. */

export interface Scenario {
  route: 'interceptions' | 'sessions' | 'session threads' | 'models' | 'clients';
  name: string;
  /** Paths requested in turn (scenarios rotate over several cursors or sessions). */
  paths: string[];
  token: string;
  /** p95 target in milliseconds, from the issue. */
  targetMs: number;
}

export interface Measurement {
  scenario: Scenario;
  p50: number;
  p95: number;
  max: number;
  /** Size of the last response body, to show what a page weighs. */
  bytes: number;
}

/**
 * Runs untimed requests (at least `warmup`, and every path once, so the database's caches hold what the
 * scenario reads), then `iterations` timed requests of a scenario against `baseUrl`.
 */
export async function measure(input: {
  baseUrl: string;
  scenario: Scenario;
  warmup: number;
  iterations: number;
  /** Stops timing after this long once 20 requests are timed, so a slow phase does not take minutes. */
  budgetMs?: number;
}): Promise<Measurement> {
  const { scenario } = input;
  const timings: number[] = [];
  let bytes = 0;
  const warmup = Math.max(input.warmup, scenario.paths.length);
  const deadline = performance.now() + (input.budgetMs ?? Number.POSITIVE_INFINITY);
  for (let iteration = 0; iteration < warmup + input.iterations; iteration += 1) {
    if (timings.length >= 20 && performance.now() > deadline) break;
    const path = scenario.paths[iteration % scenario.paths.length]!;
    const started = performance.now();
    const response = await fetch(`${input.baseUrl}${path}`, {
      headers: { 'coder-session-token': scenario.token },
    });
    const body = await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 200) {
      throw new Error(
        `${scenario.route} ${scenario.name}: ${path} answered ${response.status}: ${Buffer.from(body)}`,
      );
    }
    bytes = body.byteLength;
    if (iteration >= warmup) timings.push(elapsed);
  }
  timings.sort((a, b) => a - b);
  const at = (quantile: number) =>
    timings[Math.min(timings.length - 1, Math.ceil(quantile * timings.length) - 1)] ?? 0;
  return { scenario, p50: at(0.5), p95: at(0.95), max: timings.at(-1) ?? 0, bytes };
}

/** A markdown table of measurements. */
export function formatTable(measurements: readonly Measurement[]): string {
  const lines = [
    '| route | scenario | p50 ms | p95 ms | max ms | target p95 | page KiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { scenario, p50, p95, max, bytes } of measurements) {
    const verdict = p95 <= scenario.targetMs ? '' : ' ✗';
    lines.push(
      `| ${scenario.route} | ${scenario.name} | ${p50.toFixed(1)} | ${p95.toFixed(1)}${verdict} | ${max.toFixed(1)} | ≤ ${scenario.targetMs} | ${(bytes / 1024).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

/** One markdown table comparing phases (columns: p50 / p95 per phase) over the same scenarios. */
export function formatPhases(
  phases: readonly { label: string; measurements: readonly Measurement[] }[],
): string {
  const first = phases[0]?.measurements ?? [];
  const lines = [
    `| route | scenario | ${phases.map((phase) => `${phase.label} p50 / p95 ms`).join(' | ')} | target p95 |`,
    `| --- | --- | ${phases.map(() => '---:').join(' | ')} | ---: |`,
  ];
  first.forEach((measurement, index) => {
    const cells = phases.map((phase) => {
      const { p50, p95, scenario } = phase.measurements[index]!;
      return `${p50.toFixed(1)} / ${p95.toFixed(1)}${p95 <= scenario.targetMs ? '' : ' ✗'}`;
    });
    lines.push(
      `| ${measurement.scenario.route} | ${measurement.scenario.name} | ${cells.join(' | ')} | ≤ ${measurement.scenario.targetMs} |`,
    );
  });
  return lines.join('\n');
}
