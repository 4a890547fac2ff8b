/**
 * Plotly figure specifications (plain JSON: data traces and layout) for the
 * report charts. Nothing here touches a browser; the HTML page calls
 * `Plotly.newPlot` on these objects.
 */
import type { BandPoint } from './analysis';

/** One chart: the div id, a title for people and the Plotly figure. */
export interface ChartSpec {
  /** Element id of the chart's div (unique within a page). */
  id: string;
  /** Title shown above the plot. */
  title: string;
  /** Plotly traces. */
  data: Record<string, unknown>[];
  /** Plotly layout. */
  layout: Record<string, unknown>;
}

/** Fixed colours of the common methods; others take the palette in order. */
const METHOD_COLOURS: Record<string, string> = {
  float: '#6b6b6b',
  standard: '#1f5fa8',
  octization: '#d9730d',
  'toward-zero-int': '#b5179e',
  'half-even-octal': '#2a9d8f',
};

const PALETTE = ['#7b2cbf', '#2a9d8f', '#e63946', '#8d6e63', '#457b9d', '#6a994e', '#bc4749', '#3d405b'];

/** The colour of a method: fixed for the common ones, else a palette colour chosen from the name. */
export function methodColour(method: string): string {
  const fixed = METHOD_COLOURS[method];
  if (fixed !== undefined) return fixed;
  let h = 0;
  for (let i = 0; i < method.length; i++) h = (h * 31 + method.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** `#rrggbb` with an alpha as `rgba(...)`. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (m === null) throw new Error(`withAlpha: expected a colour like #1f5fa8, got '${hex}'`);
  return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
}

/** The layout every chart starts from: titles, grid, font, legend below. */
export function baseLayout(xTitle: string, yTitle: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    height: 340,
    margin: { l: 64, r: 16, t: 16, b: 48 },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    xaxis: { title: { text: xTitle }, gridcolor: '#e6e6e6', zeroline: false },
    yaxis: { title: { text: yTitle }, gridcolor: '#e6e6e6', zeroline: false },
    legend: { orientation: 'h', y: -0.22 },
    ...extra,
  };
}

/** One method's band for {@link bandChart}. */
export interface BandSeries {
  /** Method name (legend and colour). */
  method: string;
  /** Per-epoch mean and interval. */
  points: BandPoint[];
}

/**
 * Mean ± 95% interval per epoch, one line and one shaded band per method.
 * `scale` multiplies every value (100 shows fractions in %).
 */
export function bandChart(id: string, title: string, series: readonly BandSeries[], yTitle: string, scale = 1): ChartSpec {
  const data: Record<string, unknown>[] = [];
  // With one or two epochs a shaded band has no width to show: draw error bars instead, methods side by side.
  const short = series.every((s) => s.points.length <= 2);
  series.forEach((s, k) => {
    const colour = methodColour(s.method);
    const withCi = s.points.filter((p) => p.ci !== null);
    const hover = `${s.method}<br>epoch %{customdata[0]}<br>mean %{y:.4g}<br>n = %{customdata[1]}<extra></extra>`;
    const customdata = s.points.map((p) => [p.epoch, p.n]);
    if (short) {
      const offset = (k - (series.length - 1) / 2) * 0.08;
      data.push({
        type: 'scatter', mode: 'markers', name: s.method, x: s.points.map((p) => p.epoch + offset), y: s.points.map((p) => p.mean * scale),
        error_y: {
          type: 'data', symmetric: false, color: colour, thickness: 1.5, width: 6,
          array: s.points.map((p) => (p.ci === null ? 0 : (p.ci.upper - p.mean) * scale)),
          arrayminus: s.points.map((p) => (p.ci === null ? 0 : (p.mean - p.ci.lower) * scale)),
        },
        marker: { color: colour, size: 8 }, customdata, hovertemplate: hover,
      });
      return;
    }
    if (withCi.length > 0) {
      const x = [...withCi.map((p) => p.epoch), ...withCi.map((p) => p.epoch).reverse()];
      const y = [...withCi.map((p) => (p.ci as { upper: number }).upper * scale), ...withCi.map((p) => (p.ci as { lower: number }).lower * scale).reverse()];
      data.push({
        type: 'scatter', x, y, fill: 'toself', fillcolor: withAlpha(colour, 0.18), line: { width: 0, color: withAlpha(colour, 0) },
        hoverinfo: 'skip', showlegend: false, legendgroup: s.method, name: `${s.method} 95% CI`,
      });
    }
    data.push({
      type: 'scatter', mode: 'lines+markers', name: s.method, legendgroup: s.method,
      x: s.points.map((p) => p.epoch), y: s.points.map((p) => p.mean * scale),
      line: { color: colour, width: 2 }, marker: { color: colour, size: 5 }, customdata, hovertemplate: hover,
    });
  });
  const epochsDrawn = series.flatMap((s) => s.points.map((p) => p.epoch));
  const [minEpoch, maxEpoch] = [Math.min(1, ...epochsDrawn), Math.max(1, ...epochsDrawn)];
  return { id, title, data, layout: baseLayout('epoch', yTitle, { xaxis: { title: { text: 'epoch' }, gridcolor: '#e6e6e6', zeroline: false, dtick: maxEpoch <= 10 ? 1 : undefined, range: [minEpoch - 0.5, maxEpoch + 0.5] } }) };
}

/** One method's per-seed curves for {@link seedLinesChart}. */
export interface SeedLinesSeries {
  /** Method name (legend and colour). */
  method: string;
  /** One curve per seed. */
  seeds: { seed: number; points: { epoch: number; value: number }[] }[];
}

/**
 * Every seed's curve, one thin line each, a method's seeds in its colour: the view for
 * bimodal arms (some seeds escape chance, others do not), where a mean ± t band matches
 * no seed. The median across seeds is drawn thick.
 */
export function seedLinesChart(id: string, title: string, series: readonly SeedLinesSeries[], yTitle: string, scale = 1): ChartSpec {
  const data: Record<string, unknown>[] = [];
  for (const s of series) {
    const colour = methodColour(s.method);
    s.seeds.forEach((c, i) => {
      data.push({
        type: 'scatter', mode: 'lines', name: s.method, legendgroup: s.method, showlegend: i === 0,
        x: c.points.map((p) => p.epoch), y: c.points.map((p) => p.value * scale),
        line: { color: withAlpha(colour, 0.55), width: 1 }, hovertemplate: `${s.method} seed ${c.seed}<br>epoch %{x}<br>%{y:.4g}<extra></extra>`,
      });
    });
    const epochs = [...new Set(s.seeds.flatMap((c) => c.points.map((p) => p.epoch)))].sort((x, y) => x - y);
    const med = epochs.map((e) => {
      const v = s.seeds.map((c) => c.points.find((p) => p.epoch === e)?.value).filter((x): x is number => x !== undefined).sort((x, y) => x - y);
      const m = v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      return m * scale;
    });
    data.push({ type: 'scatter', mode: 'lines', name: `${s.method} median`, legendgroup: s.method, x: epochs, y: med, line: { color: colour, width: 3 }, hovertemplate: `${s.method} median<br>epoch %{x}<br>%{y:.4g}<extra></extra>` });
  }
  const epochsDrawn = series.flatMap((s) => s.seeds.flatMap((c) => c.points.map((p) => p.epoch)));
  const [minEpoch, maxEpoch] = [Math.min(1, ...epochsDrawn), Math.max(1, ...epochsDrawn)];
  return { id, title, data, layout: baseLayout('epoch', yTitle, { xaxis: { title: { text: 'epoch' }, gridcolor: '#e6e6e6', zeroline: false, dtick: maxEpoch <= 10 ? 1 : undefined, range: [minEpoch - 0.5, maxEpoch + 0.5] } }) };
}

/** One method's points for {@link sweepChart}: a mean and its interval at each x. */
export interface SweepSeries {
  /** Method name (legend and colour). */
  method: string;
  /** Points in x order. */
  points: { x: number; mean: number; ci: { lower: number; upper: number } | null; n: number }[];
}

/**
 * Mean ± 95% interval against a numeric setting (e.g. bit width), one line with
 * error bars per method, the methods offset slightly so their bars do not overlap.
 */
export function sweepChart(id: string, title: string, series: readonly SweepSeries[], xTitle: string, yTitle: string, scale = 1, logY = false): ChartSpec {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const data = series.map((s, k) => {
    const colour = methodColour(s.method);
    const offset = (k - (series.length - 1) / 2) * 0.08;
    return {
      type: 'scatter', mode: 'lines+markers', name: s.method,
      x: s.points.map((p) => p.x + offset), y: s.points.map((p) => p.mean * scale),
      error_y: {
        type: 'data', symmetric: false, color: colour, thickness: 1.5, width: 6,
        array: s.points.map((p) => (p.ci === null ? 0 : (p.ci.upper - p.mean) * scale)),
        arrayminus: s.points.map((p) => (p.ci === null ? 0 : (p.mean - p.ci.lower) * scale)),
      },
      line: { color: colour, width: 2 }, marker: { color: colour, size: 7 },
      customdata: s.points.map((p) => [p.x, p.n]),
      hovertemplate: `${s.method}<br>${xTitle} %{customdata[0]}<br>mean %{y:.4g}<br>n = %{customdata[1]}<extra></extra>`,
    };
  });
  return {
    id, title, data,
    layout: baseLayout(xTitle, yTitle, {
      xaxis: { title: { text: xTitle }, gridcolor: '#e6e6e6', zeroline: false, tickvals: xs },
      yaxis: { title: { text: yTitle }, type: logY ? 'log' : 'linear', gridcolor: '#e6e6e6' },
    }),
  };
}

/** One method's per-seed values for {@link distributionChart}. */
export interface PointSeries {
  /** Method name. */
  method: string;
  /** One value per seed. */
  points: { seed: number; value: number }[];
}

/** A box per method with every seed's point drawn beside it (hover shows the seed). */
export function distributionChart(id: string, title: string, series: readonly PointSeries[], yTitle: string, scale = 1): ChartSpec {
  const data = series.map((s) => ({
    type: 'box', name: s.method, y: s.points.map((p) => p.value * scale), customdata: s.points.map((p) => p.seed),
    boxpoints: 'all', jitter: 0.4, pointpos: 0, boxmean: true,
    marker: { color: methodColour(s.method), size: 7, opacity: 0.85 }, line: { color: methodColour(s.method) },
    fillcolor: withAlpha(methodColour(s.method), 0.12), hovertemplate: `${s.method}<br>seed %{customdata}<br>%{y:.4g}<extra></extra>`,
  }));
  return { id, title, data, layout: baseLayout('method', yTitle, { showlegend: false }) };
}

/** One row of a {@link forestChart}. */
export interface ForestRow {
  /** Label on the y axis. */
  label: string;
  /** Point estimate. */
  estimate: number;
  /** Interval lower end. */
  lower: number;
  /** Interval upper end. */
  upper: number;
}

/** Point estimates with horizontal interval bars and a dashed zero line. */
export function forestChart(id: string, title: string, rows: readonly ForestRow[], xTitle: string, scale = 1): ChartSpec {
  const data = [
    {
      type: 'scatter', mode: 'markers', x: rows.map((r) => r.estimate * scale), y: rows.map((r) => r.label),
      error_x: { type: 'data', symmetric: false, array: rows.map((r) => (r.upper - r.estimate) * scale), arrayminus: rows.map((r) => (r.estimate - r.lower) * scale), color: '#333333', thickness: 1.5, width: 4 },
      marker: { color: '#333333', size: 8 }, hovertemplate: '%{y}<br>%{x:.4g}<extra></extra>', showlegend: false,
    },
  ];
  const height = Math.max(200, 60 + 34 * rows.length);
  return {
    id,
    title,
    data,
    layout: baseLayout(xTitle, '', {
      height,
      margin: { l: 260, r: 16, t: 16, b: 48 },
      yaxis: { autorange: 'reversed', automargin: true, gridcolor: '#f0f0f0' },
      shapes: [{ type: 'line', x0: 0, x1: 0, yref: 'paper', y0: 0, y1: 1, line: { color: '#999999', dash: 'dash', width: 1 } }],
    }),
  };
}

/** Grouped bars: one bar group per category, one bar per series. */
export function barChart(id: string, title: string, categories: readonly string[], series: readonly { name: string; values: (number | null)[] }[], yTitle: string, logY = false): ChartSpec {
  const data = series.map((s) => ({
    type: 'bar', name: s.name, x: [...categories], y: s.values, marker: { color: methodColour(s.name) },
    hovertemplate: `${s.name}<br>%{x}<br>%{y:,.0f}<extra></extra>`,
  }));
  return { id, title, data, layout: baseLayout('', yTitle, { barmode: 'group', yaxis: { title: { text: yTitle }, type: logY ? 'log' : 'linear', gridcolor: '#e6e6e6' } }) };
}
