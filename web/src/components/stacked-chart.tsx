/**
 * A stacked bar chart of usage per bucket and group, drawn by uPlot (a canvas chart of ~50 KB that draws
 * thousands of points in a few milliseconds). Each series holds the running sum of the groups below it,
 * drawn tallest first, so each bar shows its groups stacked. Hovering shows the bucket's values; clicking a
 * segment opens the records behind it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCompact, formatInteger } from '../format';

export interface ChartGroup {
  key: string | null;
  label: string;
  color: string;
}

export interface StackedChartProps {
  /** Bucket starts, in seconds. */
  buckets: number[];
  groups: ChartGroup[];
  /** values[group][bucket]. */
  values: number[][];
  bucketLabel: (seconds: number) => string;
  metricLabel: string;
  onSelect: (bucket: number, group: ChartGroup) => void;
}

function cumulative(values: number[][]): number[][] {
  const sums: number[][] = [];
  values.forEach((row, index) => {
    const below = sums[index - 1];
    sums.push(row.map((value, bucket) => value + (below?.[bucket] ?? 0)));
  });
  return sums;
}

export function StackedChart(props: StackedChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const [hover, setHover] = useState<number | null>(null);
  // The axes take their colours from the theme: redraw when the system switches between light and dark.
  const [scheme, setScheme] = useState(() => window.matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setScheme(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const { buckets, groups, values } = props;
    const stacked = cumulative(values);
    const order = groups.map((_, index) => index).reverse();
    const styles = getComputedStyle(document.documentElement);
    const axisColor = styles.getPropertyValue('--muted').trim() || '#888';
    const gridColor = styles.getPropertyValue('--border').trim() || '#ddd';
    const bars = uPlot.paths.bars?.({ size: [0.8, 48], gap: 1 });
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: 280,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] } },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
          values: (_u, ticks) => ticks.map((tick) => formatCompact(tick)),
          size: 56,
        },
      ],
      series: [
        {},
        ...order.map((index) => ({
          label: groups[index]?.label ?? '',
          fill: groups[index]?.color ?? '#888',
          stroke: groups[index]?.color ?? '#888',
          width: 0,
          points: { show: false },
          ...(bars ? { paths: bars } : {}),
        })),
      ],
      hooks: {
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
      },
    };
    const data: uPlot.AlignedData = [buckets, ...order.map((index) => stacked[index] ?? [])];
    const plot = new uPlot(options, data, element);
    const onClick = () => {
      const index = plot.cursor.idx;
      const top = plot.cursor.top;
      if (index === null || index === undefined || top === undefined || top < 0) return;
      const value = plot.posToVal(top, 'y');
      const current = latest.current;
      const sums = cumulative(current.values);
      let hit = sums.findIndex((row) => (row[index] ?? 0) >= value && (row[index] ?? 0) > 0);
      if (hit < 0) hit = sums.length - 1;
      const group = current.groups[hit];
      const bucket = current.buckets[index];
      if (group && bucket !== undefined) current.onSelect(bucket, group);
    };
    plot.over.addEventListener('click', onClick);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(320, element.clientWidth), height: 280 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.buckets, props.groups, props.values, scheme]);

  const hovered = hover === null ? null : props.buckets[hover];
  return (
    <div class="chart">
      <div
        ref={container}
        role="img"
        aria-label={`${props.metricLabel} per bucket, stacked by group. A table of the same data follows.`}
      />
      <div class="chart-hover" aria-hidden="true">
        {hovered !== undefined && hovered !== null && hover !== null ? (
          <>
            <strong>{props.bucketLabel(hovered)}</strong>
            {props.groups.map((group, index) =>
              (props.values[index]?.[hover] ?? 0) > 0 ? (
                <span key={group.label}>
                  <i style={{ background: group.color }} /> {group.label}:{' '}
                  {formatInteger(props.values[index]?.[hover] ?? 0)}
                </span>
              ) : null,
            )}
          </>
        ) : (
          <span class="muted">Hover a bar to see its values; click it to open the sessions behind it.</span>
        )}
      </div>
      <ul class="legend" aria-label="Groups">
        {props.groups.map((group) => (
          <li key={group.label}>
            <i style={{ background: group.color }} aria-hidden="true" /> {group.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
