/**
 * Plotly figures built from plain rows: one trace per group, in first-seen order.
 * The figures are data only (see {@link PlotlyFigure}); show them with `figureHtml`.
 */
import type { PlotlyFigure, PlotlyTrace } from './plotly';

/** Options of {@link linesByGroup}. */
export interface LinesByGroupArgs<R> {
  /** Field of the x values (numbers). */
  x: keyof R & string;
  /** Field of the y values (numbers; null draws a gap). */
  y: keyof R & string;
  /** Field whose value names a row's trace. */
  group: keyof R & string;
  /** Figure title. */
  title?: string;
  /** X axis title. Default: the `x` field. */
  xTitle?: string;
  /** Y axis title. Default: the `y` field. */
  yTitle?: string;
  /** Logarithmic y axis. Default false. */
  logY?: boolean;
  /** Figure height in pixels. Default 420. */
  height?: number;
}

/** Options of {@link pointsByGroup}. */
export interface PointsByGroupArgs<R> {
  /** Field of the category shown on the x axis (one box/strip per group). */
  group: keyof R & string;
  /** Field of the values (numbers). */
  y: keyof R & string;
  /** Field shown when hovering a point (e.g. the seed). */
  label?: keyof R & string;
  /** Figure title. */
  title?: string;
  /** Y axis title. Default: the `y` field. */
  yTitle?: string;
  /** Figure height in pixels. Default 420. */
  height?: number;
}

/** Line dash patterns given to the lines of {@link linesByGroup} in turn, so that coinciding lines stay visible. */
export const LINE_DASHES: readonly string[] = ['solid', 'dot', 'dash', 'longdash', 'dashdot', 'longdashdot'];

function numberOrNull(v: unknown, field: string, i: number, fn: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${fn}: row ${i} field '${field}' must be a number or null, got ${JSON.stringify(v)}`);
  return v;
}

function groupRows<R extends object>(rows: readonly R[], group: string, fn: string): Map<string, { row: R; index: number }[]> {
  if (!Array.isArray(rows)) throw new Error(`${fn}: rows must be an array`);
  const groups = new Map<string, { row: R; index: number }[]>();
  rows.forEach((row, index) => {
    const key = (row as Record<string, unknown>)[group];
    if (key === undefined) throw new Error(`${fn}: row ${index} has no field '${group}'`);
    const name = String(key);
    const list = groups.get(name) ?? [];
    list.push({ row, index });
    groups.set(name, list);
  });
  return groups;
}

/**
 * A line chart with one line (with markers) per value of `group`; points are
 * sorted by x within each line. Lines take the dash patterns of {@link LINE_DASHES}
 * in turn, so that two groups with equal values remain distinguishable.
 * @throws Error naming the row and field for a missing group or a non-numeric x / y.
 */
export function linesByGroup<R extends object>(rows: readonly R[], args: LinesByGroupArgs<R>): PlotlyFigure {
  const fn = 'linesByGroup';
  const data: PlotlyTrace[] = [];
  for (const [name, list] of groupRows(rows, args.group, fn)) {
    const points = list.map(({ row, index }) => {
      const r = row as Record<string, unknown>;
      const x = numberOrNull(r[args.x], args.x, index, fn);
      if (x === null) throw new Error(`${fn}: row ${index} field '${args.x}' must be a number, got ${JSON.stringify(r[args.x])}`);
      return { x, y: numberOrNull(r[args.y], args.y, index, fn) };
    });
    points.sort((a, b) => a.x - b.x);
    const dash = LINE_DASHES[data.length % LINE_DASHES.length];
    data.push({ type: 'scatter', mode: 'lines+markers', name, x: points.map((p) => p.x), y: points.map((p) => p.y), line: { dash } });
  }
  return {
    data,
    layout: {
      title: args.title === undefined ? undefined : { text: args.title },
      xaxis: { title: { text: args.xTitle ?? args.x } },
      yaxis: { title: { text: args.yTitle ?? args.y }, type: args.logY === true ? 'log' : 'linear', exponentformat: 'power' },
      height: args.height ?? 420,
      margin: { t: args.title === undefined ? 20 : 50 },
    },
  };
}

/**
 * Box plots with every point shown, one per value of `group`: how values spread
 * across seeds.
 * @throws Error naming the row and field for a missing group or a non-numeric value.
 */
export function pointsByGroup<R extends object>(rows: readonly R[], args: PointsByGroupArgs<R>): PlotlyFigure {
  const fn = 'pointsByGroup';
  const data: PlotlyTrace[] = [];
  for (const [name, list] of groupRows(rows, args.group, fn)) {
    const y = list.map(({ row, index }) => {
      const v = numberOrNull((row as Record<string, unknown>)[args.y], args.y, index, fn);
      if (v === null) throw new Error(`${fn}: row ${index} field '${args.y}' must be a number`);
      return v;
    });
    const trace: PlotlyTrace = { type: 'box', name, y, boxpoints: 'all', jitter: 0.4, pointpos: 0, boxmean: true };
    if (args.label !== undefined) {
      const label = args.label;
      trace.text = list.map(({ row }) => `${label} ${String((row as Record<string, unknown>)[label])}`);
    }
    data.push(trace);
  }
  return {
    data,
    layout: {
      title: args.title === undefined ? undefined : { text: args.title },
      yaxis: { title: { text: args.yTitle ?? args.y } },
      showlegend: false,
      height: args.height ?? 420,
      margin: { t: args.title === undefined ? 20 : 50 },
    },
  };
}
