/**
 * Plotly figures inside notebook output that still work in an offline HTML export.
 *
 * The plotly.js bundle ({@link plotlyPath}, about 1.4 MB) is embedded once per
 * notebook by {@link plotlyInit}, in the first output cell; every figure is then
 * a small `<div>` plus a `Plotly.newPlot` call ({@link figureHtml}). Nothing is
 * fetched from the network: the HTML exported by nbconvert opens anywhere.
 *
 * Two details make the inline bundle work in Jupyter's HTML pages:
 * - If require.js is on the page, plotly's UMD header registers an anonymous AMD
 *   module instead of setting `window.Plotly` (and require.js then complains). The
 *   init HTML hides `window.define` while the bundle runs and restores it after.
 * - The bundle's only CDN address, the default `topojsonURL` of geographic maps
 *   (`https://cdn.plot.ly/`), is replaced by the relative `topojson/`: no figure here
 *   is a map, and the page then names no CDN at all.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { escapeHtml, plotlyPath } from '../reports/html';
import { uniqueElementId } from './element-ids';

/** One plotly trace: a plain object such as `{ type: 'scatter', x: [...], y: [...] }`. */
export type PlotlyTrace = Record<string, unknown>;

/**
 * A plotly figure: traces, layout and config, exactly as `Plotly.newPlot` takes them.
 * The report charts of `src/reports` (`ChartSpec`) have this shape too.
 */
export interface PlotlyFigure {
  /** Caption shown above the plot (as the report charts carry it). */
  title?: string;
  /** The traces. */
  data: PlotlyTrace[];
  /** Layout (title, axes, size...). */
  layout?: Record<string, unknown>;
  /** Plot config; merged over {@link DEFAULT_PLOT_CONFIG}. */
  config?: Record<string, unknown>;
}

/** Options of {@link figureHtml}. */
export interface FigureHtmlArgs {
  /**
   * Element id of the figure's `<div>` (letters, digits, `-`, `_`; starting with a letter).
   * Default: `octolab-fig-` plus a hash of the figure (and `-2`, `-3`… when the same figure
   * is shown again in this kernel, so each copy draws into its own element), so the same notebook always
   * produces the same HTML.
   */
  id?: string;
  /** CSS height of the figure in pixels. Default: the layout's `height`, else 420. */
  height?: number;
  /** Caption above the plot. Default: the figure's `title`, if any. */
  caption?: string;
}

/** Anything with tslab's `display.html` method. */
export interface HtmlDisplay {
  /** Shows an HTML fragment as the cell's output. */
  html(html: string): void;
}

/** Plot config every figure gets unless its own config says otherwise. */
export const DEFAULT_PLOT_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  responsive: true,
  displaylogo: false,
});

/** The CDN address inside the plotly bundle, and what {@link plotlyInit} writes instead. */
export const PLOTLY_CDN_URL = 'https://cdn.plot.ly/';
const PLOTLY_CDN_REPLACEMENT = 'topojson/';

/** Marker attribute on the bundle's `<script>` tag: one per page means plotly is embedded once. */
export const PLOTLY_BUNDLE_MARKER = 'data-octolab-plotly-bundle';

/** The version in the bundle's header comment (e.g. `2.35.3` from `plotly.js (cartesian - minified) v2.35.3`). */
export function plotlyVersion(bundle: string): string {
  const m = /plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)/.exec(bundle.slice(0, 400));
  if (m === null) throw new Error('plotlyVersion: no "plotly.js vX.Y.Z" header in the first 400 characters of the bundle');
  return m[1];
}

let cachedBundle: string | null = null;

function readBundle(): string {
  if (cachedBundle === null) cachedBundle = fs.readFileSync(plotlyPath(), 'utf8');
  return cachedBundle;
}

/**
 * The HTML that loads plotly.js into the page: three `<script>` tags that hide
 * `window.define`, run the inline bundle and restore `define`. Show it once per
 * notebook, before the first figure.
 * @param bundle The plotly.js source. Default: the bundle at {@link plotlyPath}.
 * @throws Error when the bundle contains `</script` (it would end the tag early).
 */
export function plotlyInit(bundle: string = readBundle()): string {
  if (/<\/script/i.test(bundle)) throw new Error('plotlyInit: the plotly bundle contains "</script" and cannot be inlined');
  const source = bundle.split(PLOTLY_CDN_URL).join(PLOTLY_CDN_REPLACEMENT);
  return [
    '<script>window.__octolabDefine = window.define; window.define = undefined;</script>',
    `<script ${PLOTLY_BUNDLE_MARKER}="1">${source}</script>`,
    '<script>window.define = window.__octolabDefine; delete window.__octolabDefine;</script>',
  ].join('\n');
}

/**
 * JSON text that is safe inside an HTML `<script>` element: `<`, `>`, `&` and the
 * line separators U+2028/U+2029 are written as `\uXXXX` escapes. Non-finite
 * numbers become `null`, which plotly draws as a gap.
 */
export function plotlyJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  if (text === undefined) throw new Error('plotlyJson: value has no JSON form');
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function checkFigure(fig: PlotlyFigure): void {
  if (fig === null || typeof fig !== 'object') throw new Error(`figureHtml: figure must be an object, got ${String(fig)}`);
  if (!Array.isArray(fig.data)) throw new Error('figureHtml: figure.data must be an array of traces');
  fig.data.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new Error(`figureHtml: figure.data[${i}] must be a trace object`);
  });
  if (fig.title !== undefined && typeof fig.title !== 'string') throw new Error('figureHtml: figure.title must be a string');
  for (const key of ['layout', 'config'] as const) {
    const v = fig[key];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) {
      throw new Error(`figureHtml: figure.${key} must be an object`);
    }
  }
}

/**
 * The HTML of one figure: a `<div>` and a script that draws into it with
 * `Plotly.newPlot`. If plotly is not loaded (no {@link plotlyInit} earlier on the
 * page) the div says so instead of staying blank.
 * @throws Error for a malformed figure, id or height.
 */
export function figureHtml(fig: PlotlyFigure, args: FigureHtmlArgs = {}): string {
  checkFigure(fig);
  const payload = plotlyJson({ data: fig.data, layout: fig.layout ?? {}, config: { ...DEFAULT_PLOT_CONFIG, ...(fig.config ?? {}) } });
  const caption = args.caption ?? fig.title;
  const id = args.id ?? uniqueElementId(`octolab-fig-${createHash('sha256').update(`${caption ?? ''}\n${payload}`).digest('hex').slice(0, 12)}`);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(id)) throw new Error(`figureHtml: id '${id}' must start with a letter and hold only letters, digits, '-' and '_'`);
  const layoutHeight = fig.layout?.height;
  const height = args.height ?? (typeof layoutHeight === 'number' ? layoutHeight : 420);
  if (!Number.isFinite(height) || height <= 0) throw new Error(`figureHtml: height must be a positive number of pixels, got ${height}`);
  return [
    ...(caption === undefined ? [] : [`<div class="octolab-figure-caption" style="font-weight:bold;margin:6px 0 0 0;">${escapeHtml(caption)}</div>`]),
    `<div id="${id}" class="octolab-figure" style="width:100%;height:${height}px;"></div>`,
    '<script>(function () {',
    `  var el = document.getElementById(${JSON.stringify(id)});`,
    `  var fig = ${payload};`,
    "  if (typeof window.Plotly === 'undefined') { el.textContent = 'plotly.js is not loaded on this page (plotlyInit() must be shown first)'; return; }",
    '  window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);',
    '})();</script>',
  ].join('\n');
}

/** Shows a figure through a display such as tslab's `display`: `showFigure(tslab.display, fig)`. */
export function showFigure(display: HtmlDisplay, fig: PlotlyFigure, args: FigureHtmlArgs = {}): void {
  display.html(figureHtml(fig, args));
}
