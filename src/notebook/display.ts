/**
 * Rich output in a tslab notebook without importing tslab in every cell:
 * `octolab.notebook.show(x)` renders a plotly figure, a danfojs DataFrame or Series, or a
 * `{ columns, rows }` table as HTML. Outside a tslab kernel (plain Node.js) the same calls
 * print text instead, so notebook code also runs as a script.
 */
import { dataFrameTable, isDataFrameLike, isSeriesLike } from './dataframe';
import type { HtmlTableInput } from './html';
import { tableHtml } from './html';
import type { PlotlyFigure } from './plotly';
import { figureHtml } from './plotly';
import type { UpdatableDisplay } from './progress';

/** The part of tslab's public module used here. */
interface TslabModule {
  display: UpdatableDisplay;
  newDisplay(): UpdatableDisplay;
}

/** tslab's module when this process is a tslab kernel that can display output now, else null. */
export function tslabModule(): TslabModule | null {
  try {
    // Loaded on use: tslab is there only where notebooks run (a devDependency).
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: unknown };
    if (typeof jupyter.lastWriteDisplayData !== 'function') return null;
    return require('tslab') as TslabModule;
  } catch {
    return null;
  }
}

/** A new output of the current cell that later calls replace (tslab `newDisplay()`), or null outside a kernel. */
export function newDisplay(): UpdatableDisplay | null {
  return tslabModule()?.newDisplay() ?? null;
}

/** Shows an HTML fragment as cell output (prints it outside a kernel). */
export function html(fragment: string): void {
  const t = tslabModule();
  if (t === null) console.log(fragment);
  else t.display.html(fragment);
}

/** Anything {@link show} can render. */
export type Showable = PlotlyFigure | HtmlTableInput | { columns: readonly string[]; index: readonly unknown[]; values: readonly unknown[] } | string;

const isFigure = (v: unknown): v is PlotlyFigure =>
  v !== null && typeof v === 'object' && Array.isArray((v as { data?: unknown }).data) && !('columns' in (v as object));
const isTable = (v: unknown): v is HtmlTableInput =>
  v !== null && typeof v === 'object' && Array.isArray((v as { columns?: unknown }).columns) && Array.isArray((v as { rows?: unknown }).rows);

/**
 * The HTML {@link show} displays: a figure's plot, a DataFrame/Series/table as a table, a
 * string as escaped preformatted text.
 * @throws Error naming the kind of value when it is none of these.
 */
export function toHtml(value: unknown, caption?: string): string {
  if (isDataFrameLike(value) || isSeriesLike(value)) return tableHtml(dataFrameTable(value), { caption });
  if (isTable(value)) return tableHtml(value, { caption });
  if (isFigure(value)) return figureHtml(value, caption === undefined ? {} : { caption });
  if (typeof value === 'string') return tableHtml({ columns: [caption ?? ''], rows: [[value]] });
  const kind = value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new Error(`show: cannot display a ${kind}; expected a plotly figure, a danfojs DataFrame or Series, or { columns, rows }`);
}

/** Displays a figure, DataFrame, Series or table as rich HTML output of the current cell. */
export function show(value: Showable, caption?: string): void {
  html(toHtml(value, caption));
}
