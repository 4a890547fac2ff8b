/**
 * Small HTML fragments for notebook output: escaped tables and notices (styled
 * inline, since notebook pages lack the report stylesheet). Every function returns a
 * string for tslab's `display.html`; text is always escaped.
 */
import { formatNumber, MISSING } from '../reports/format';
import { escapeHtml } from '../reports/html';
import { viewTableHtml } from '../views/table';
import type { ViewTable } from '../views/table';
import { dataFrameTable, isDataFrameLike, isSeriesLike } from './dataframe';
import type { DataFrameLike, SeriesLike } from './dataframe';

/** Rows under named columns; the shape of the plain report tables (`{ columns, rows }`). */
export interface PlainTableInput {
  /** Column headers, in order. */
  columns: readonly string[];
  /** One array of cells per row, one cell per column. */
  rows: readonly (readonly unknown[])[];
}

/** What {@link tableHtml} shows: a plain table, or a view table of the reports (rendered exactly as on the report pages). */
export type HtmlTableInput = PlainTableInput | ViewTable;

function isViewTable(t: HtmlTableInput): t is ViewTable {
  return Array.isArray(t.columns) && t.columns.length > 0 && typeof t.columns[0] === 'object' && t.columns[0] !== null;
}

/** Options of {@link tableHtml}. */
export interface HtmlTableArgs {
  /** Caption above the table. */
  caption?: string;
  /**
   * Formats one cell as plain text (it is escaped afterwards). Default: numbers with
   * `formatNumber` (4 significant digits, thousands separators), null/undefined as an
   * en dash, everything else with `String`.
   */
  format?: (value: unknown, column: string) => string;
  /** Right-align numeric cells (all other cells are left-aligned). Default true. */
  alignNumbers?: boolean;
}

/** Kind of a {@link noticeHtml} box: its colour and label. */
export type NoticeKind = 'info' | 'warning' | 'missing';

/** Default cell text: numbers with {@link formatNumber}, null as an en dash. */
export function defaultCellText(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/**
 * An HTML table of `table` (or of a danfojs DataFrame or Series, index first), every header and cell escaped.
 * @throws Error naming the row when a row has a different number of cells than there are columns.
 */
export function tableHtml(input: HtmlTableInput | DataFrameLike | SeriesLike, args: HtmlTableArgs = {}): string {
  const table: HtmlTableInput = isDataFrameLike(input) || isSeriesLike(input) ? dataFrameTable(input) : input;
  if (table === null || typeof table !== 'object' || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new Error('tableHtml: expected { columns: string[], rows: unknown[][] }, a view table, or a danfojs DataFrame or Series');
  }
  if (isViewTable(table)) return viewTableHtml(args.caption === undefined ? table : { ...table, title: args.caption });
  const format = args.format ?? ((v: unknown) => defaultCellText(v));
  const align = args.alignNumbers ?? true;
  const cell = 'padding:2px 8px;border-bottom:1px solid #ddd;';
  const head = table.columns.map((c) => `<th style="${cell}text-align:left;">${escapeHtml(String(c))}</th>`).join('');
  const body = table.rows
    .map((row, i) => {
      if (!Array.isArray(row) || row.length !== table.columns.length) {
        throw new Error(`tableHtml: row ${i} has ${Array.isArray(row) ? row.length : 'no'} cells, expected ${table.columns.length}`);
      }
      const tds = row
        .map((v, j) => {
          const side = align && typeof v === 'number' ? 'text-align:right;' : 'text-align:left;';
          return `<td style="${cell}${side}">${escapeHtml(format(v, table.columns[j]))}</td>`;
        })
        .join('');
      return `<tr>${tds}</tr>`;
    })
    .join('\n');
  const caption = args.caption === undefined ? '' : `<caption style="text-align:left;font-weight:bold;padding:4px 0;">${escapeHtml(args.caption)}</caption>`;
  return `<table class="octolab-table" style="border-collapse:collapse;font-size:13px;">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A boxed notice, e.g. "No stored results for cifar10 at …". The text is escaped;
 * the box carries `class="octolab-notice octolab-notice-<kind>"` so exports can be searched.
 */
export function noticeHtml(text: string, kind: NoticeKind = 'info'): string {
  const colours: Record<NoticeKind, [string, string, string]> = {
    info: ['#eef5ff', '#4a7bd0', 'Note'],
    warning: ['#fff6e5', '#d08a00', 'Warning'],
    missing: ['#fdecec', '#c0392b', 'Missing'],
  };
  const entry = colours[kind];
  if (entry === undefined) throw new Error(`noticeHtml: unknown kind '${String(kind)}' (expected info, warning or missing)`);
  const [bg, border, label] = entry;
  return `<div class="octolab-notice octolab-notice-${kind}" style="background:${bg};border-left:4px solid ${border};padding:6px 10px;margin:4px 0;"><b>${label}:</b> ${escapeHtml(text)}</div>`;
}
