/**
 * HTML building blocks of the reports: escaping, tables with right-aligned
 * numbers, chart placeholders, and the self-contained page shell (one inline
 * CSS block, plotly.js inline once, no network references).
 */
import * as fs from 'node:fs';
import type { ChartSpec } from './charts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A piece of HTML that must not be escaped again. */
export interface Html {
  /** The markup. */
  html: string;
}

/** Marks markup as HTML. */
export function raw(html: string): Html {
  return { html };
}

/** Text or markup as markup (text is escaped). */
export function toHtml(x: string | Html): string {
  return typeof x === 'string' ? escapeHtml(x) : x.html;
}

/** A column of {@link htmlTable}. */
export interface Column {
  /** Header text. */
  label: string;
  /** Numbers go right. Default left. */
  align?: 'left' | 'right';
  /** Tooltip of the header. */
  title?: string;
}

/** A table; cells are text (escaped) or {@link Html}. Numbers should be pre-formatted text in right-aligned columns. */
export function htmlTable(columns: readonly Column[], rows: readonly (string | Html)[][], className = ''): string {
  rows.forEach((r, i) => {
    if (r.length !== columns.length) throw new Error(`htmlTable: row ${i} has ${r.length} cells for ${columns.length} columns`);
  });
  const cls = (c: Column): string => (c.align === 'right' ? ' class="num"' : '');
  const head = columns.map((c) => `<th${cls(c)}${c.title === undefined ? '' : ` title="${escapeHtml(c.title)}"`}>${escapeHtml(c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell, j) => `<td${cls(columns[j])}>${toHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table${className === '' ? '' : ` class="${escapeHtml(className)}"`}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A two-column key/value table. */
export function keyValueTable(rows: readonly [string, string | Html][]): string {
  return `<div class="table-wrap"><table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${toHtml(v)}</td></tr>`).join('')}</tbody></table></div>`;
}

/** The placeholder div of a chart, with its title; `data-chart` marks it for the render check. */
export function chartDiv(chart: ChartSpec): string {
  return `<figure class="chart-box"><figcaption>${escapeHtml(chart.title)}</figcaption><div class="chart" id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}"></div></figure>`;
}

/** A grid of chart placeholders; `wide` gives each chart the full width. */
export function chartGrid(charts: readonly ChartSpec[], wide = false): string {
  return charts.length === 0 ? '' : `<div class="charts${wide ? ' wide' : ''}">${charts.map(chartDiv).join('\n')}</div>`;
}

/** JSON safe to place inside a `<script>` element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Path of the minified plotly.js bundle: plotly's cartesian partial bundle
 * (`plotly.js-cartesian-dist-min`, about 1.4 MB instead of 4.6 MB for the full one),
 * which has every trace type the charts use (scatter, bar, box).
 */
export function plotlyPath(): string {
  return require.resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js');
}

let plotlyCache: string | null = null;

/** The plotly.js source, read once per process, made safe for an inline `<script>`. */
export function plotlySource(): string {
  if (plotlyCache === null) {
    const text = fs.readFileSync(plotlyPath(), 'utf8');
    plotlyCache = text.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
  }
  return plotlyCache;
}

/** Marker placed in the inline plotly script so that tests can count it. */
export const PLOTLY_MARKER = 'octolab:plotly-inline';

/** The page's one CSS block: system fonts, readable widths, right-aligned numbers. */
export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --head: #f4f5f7; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.08rem; margin: 26px 0 8px; }
h4 { font-size: 0.98rem; margin: 18px 0 6px; }
p, li { max-width: 78ch; }
.muted, figcaption, .note { color: var(--muted); }
.note { font-size: 0.9rem; }
td .note, th .note { font-size: 0.9em; }
table.cmp td:first-child { white-space: nowrap; }
table.claims td:nth-child(2) { min-width: 16em; }
table.claims td:nth-child(21), table.claims td:nth-child(22) { min-width: 18em; }
table.view caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--muted); font-size: 0.85rem; }
td { overflow-wrap: anywhere; }
table.claims ul { margin: 4px 0 0; padding-left: 16px; }
a { color: var(--accent); }
nav.toc { font-size: 0.92rem; margin: 12px 0 0; }
nav.toc a { margin-right: 14px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86em; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; }
table { border-collapse: collapse; font-size: 0.88rem; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--head); border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { background: none; font-weight: 600; white-space: nowrap; }
table.wide { font-size: 0.78rem; }
table.wide th, table.wide td { padding: 3px 6px; }
td strong { white-space: nowrap; }
.verdict { font-weight: 600; white-space: nowrap; }
.v-supported, .v-holds { color: #1b7a3d; }
.v-contradicted, .v-fails { color: #b3261e; }
.v-not-reproduced { color: #a4460b; }
.v-equivalent, .v-identity { color: #1f5fa8; }
.v-inconclusive { color: #8a6100; }
.v-awaiting-runs, .v-not-in-plan { color: var(--muted); }
.v-identity { white-space: normal; font-weight: 500; }
.bottom-line { border: 2px solid var(--accent); border-radius: 6px; padding: 10px 16px; margin: 14px 0; background: #f5f9ff; }
.bottom-line p, .bottom-line li { max-width: 120ch; }
.charts.wide { grid-template-columns: 1fr; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px 20px; margin: 10px 0 18px; }
figure.chart-box { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px 8px 2px; }
figure.chart-box figcaption { font-size: 0.88rem; margin: 0 4px 4px; }
.chart { width: 100%; min-height: 200px; }
.panel { border-left: 3px solid var(--line); padding-left: 12px; margin: 18px 0 30px; }
.warn { background: #fff4e5; border: 1px solid #f0c36d; padding: 8px 12px; border-radius: 4px; }
footer { margin-top: 48px; font-size: 0.85rem; color: var(--muted); }
`;

/** Options of {@link htmlPage}. */
export interface PageArgs {
  /** The document title. */
  title: string;
  /** Body markup (inside `<main>`). */
  body: string;
  /** Charts placed in the body with {@link chartDiv}; drawn by one script after plotly. */
  charts?: readonly ChartSpec[];
}

/**
 * A complete, self-contained HTML document. When there are charts, plotly.js is
 * inlined exactly once, with `window.define` hidden around it (so that a page
 * that also carries require.js still gets a global `Plotly`), then one script
 * draws every chart. `<body data-charts>` holds the number of charts.
 */
export function htmlPage(args: PageArgs): string {
  const charts = args.charts ?? [];
  const ids = new Set<string>();
  for (const c of charts) {
    if (ids.has(c.id)) throw new Error(`htmlPage: chart id '${c.id}' is used twice`);
    ids.add(c.id);
  }
  const scripts =
    charts.length === 0
      ? ''
      : [
          '<script>window.__octolabDefine = window.define; window.define = undefined;</script>',
          `<script>/* ${PLOTLY_MARKER} */\n${plotlySource()}\n</script>`,
          '<script>window.define = window.__octolabDefine; delete window.__octolabDefine;</script>',
          `<script>
(function () {
  var charts = ${scriptJson(charts.map((c) => ({ id: c.id, data: c.data, layout: c.layout })))};
  var config = { responsive: true, displaylogo: false, displayModeBar: 'hover', modeBarButtonsToRemove: ['select2d', 'lasso2d'], toImageButtonOptions: { format: 'png', scale: 2 } };
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (el) { Plotly.newPlot(el, c.data, c.layout, config); }
  });
})();
</script>`,
        ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(args.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body data-charts="${charts.length}">
<main>
${args.body}
</main>
${scripts}
</body>
</html>
`;
}

/** A verdict as a coloured label. */
export function verdictBadge(verdict: string): Html {
  const cls = `v-${verdict.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
  return raw(`<span class="verdict ${cls}">${escapeHtml(verdict)}</span>`);
}
