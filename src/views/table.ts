/**
 * The view model of a table: typed columns and cells that carry their unit. It is
 * the only place a report table is defined; thin writers render the same object to
 * HTML (pages and notebooks, {@link viewTableHtml}) and to CSV ({@link viewTableCsv}),
 * so a page, its CSV file and a notebook display hold the same rows.
 */
import { formatFixed, formatNumber, formatP, formatPercent, formatPp, formatSeconds, isFiniteNumber, MISSING } from '../reports/format';
import { escapeHtml } from '../reports/html';
import type { Cell, Table } from '../reports/tables';

/**
 * How a cell's value is shown: `text` as is; `count` an integer; `percent` a fraction in
 * %; `pp` a difference of fractions in percentage points; `change` a log-ratio as a %
 * change; `number` 4 significant digits; `signed` the same with a sign; `p` a p-value;
 * `seconds` a duration; `code` a verdict or caveat code (shown as its label).
 */
export type Unit = 'text' | 'count' | 'percent' | 'pp' | 'change' | 'number' | 'signed' | 'p' | 'seconds' | 'code';

/** One column of a {@link ViewTable}. */
export interface ViewColumn {
  /** Key: the CSV header. */
  key: string;
  /** Header shown on pages. */
  label: string;
  /** Tooltip of the header, or undefined. */
  title?: string;
  /** Numbers are right-aligned. Default: right for every unit but `text` and `code`. */
  align?: 'left' | 'right';
}

/** A cell: a raw value (what CSV holds) and how to show it. */
export interface ViewCell {
  /** Raw value. */
  v: Cell;
  /** How it is shown. */
  unit: Unit;
  /** Link target of the shown text, or undefined. */
  href?: string;
}

/** A table of the view model. */
export interface ViewTable {
  /** Stable id (the HTML element id is `table-<id>`, the CSV file `<id>.csv`). */
  id: string;
  /** Caption. */
  title: string;
  /** Columns. */
  columns: ViewColumn[];
  /** Rows, one cell per column. */
  rows: ViewCell[][];
}

/** Labels of codes (verdicts, caveats and difference codes) as shown in tables. */
export const CODE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  supported: 'supported',
  'not-reproduced': 'not reproduced',
  contradicted: 'contradicted',
  equivalent: 'equivalent (no effect)',
  inconclusive: 'inconclusive',
  'awaiting-runs': 'awaiting runs',
  'not-in-plan': 'not in the plan',
  'a-higher': 'A higher',
  'b-higher': 'B higher',
  'too-few-runs': 'too few runs',
  holds: 'holds',
  fails: 'fails',
});

/** A cell constructor: `cell(0.4, 'percent')`. */
export function cell(v: Cell | undefined, unit: Unit = 'text', href?: string): ViewCell {
  return href === undefined ? { v: v === undefined ? null : v, unit } : { v: v === undefined ? null : v, unit, href };
}

/** The text of one cell, by its unit. Missing or non-finite numbers show as an en dash. */
export function cellText(c: ViewCell): string {
  const v = c.v;
  if (v === null) return MISSING;
  switch (c.unit) {
    case 'text':
      return String(v);
    case 'code':
      return CODE_LABELS[String(v)] ?? String(v);
    case 'count':
      return isFiniteNumber(v) ? formatNumber(v) : String(v);
    case 'percent':
      return isFiniteNumber(v) ? formatPercent(v) : MISSING;
    case 'pp':
      return isFiniteNumber(v) ? formatPp(v) : MISSING;
    case 'change': {
      if (!isFiniteNumber(v)) return MISSING;
      const pct = (Math.exp(v) - 1) * 100;
      const t = formatNumber(pct, 3);
      return `${pct > 0 ? '+' : ''}${t}%`;
    }
    case 'number':
      return isFiniteNumber(v) ? formatNumber(v, 4) : MISSING;
    case 'signed': {
      if (!isFiniteNumber(v)) return MISSING;
      const t = formatNumber(v, 4);
      return v > 0 ? `+${t}` : t;
    }
    case 'p':
      return isFiniteNumber(v) ? formatP(v) : MISSING;
    case 'seconds':
      return isFiniteNumber(v) ? formatSeconds(v) : MISSING;
    default:
      return String(v);
  }
}

function checkShape(t: ViewTable): void {
  t.rows.forEach((r, i) => {
    if (r.length !== t.columns.length) throw new Error(`view table '${t.id}': row ${i} has ${r.length} cells for ${t.columns.length} columns`);
  });
}

function alignOf(col: ViewColumn, first: ViewCell | undefined): 'left' | 'right' {
  if (col.align !== undefined) return col.align;
  return first === undefined || first.unit === 'text' || first.unit === 'code' ? 'left' : 'right';
}

/** The shown text of every cell, row by row: what a page and a notebook display. */
export function viewTableTexts(t: ViewTable): string[][] {
  checkShape(t);
  return t.rows.map((r) => r.map(cellText));
}

/**
 * The table as HTML (`<table id="table-<id>">`), for report pages and notebook
 * output alike. Verdict codes carry `class="verdict v-<code>"` so pages can colour them.
 */
export function viewTableHtml(t: ViewTable, className = ''): string {
  checkShape(t);
  const aligns = t.columns.map((c, j) => alignOf(c, t.rows[0]?.[j]));
  const head = t.columns
    .map((c, j) => `<th${aligns[j] === 'right' ? ' class="num"' : ''}${c.title === undefined ? '' : ` title="${escapeHtml(c.title)}"`}>${escapeHtml(c.label)}</th>`)
    .join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, j) => {
            const text = escapeHtml(cellText(c));
            const inner = c.unit === 'code' && c.v !== null ? `<span class="verdict v-${escapeHtml(String(c.v))}">${text}</span>` : text;
            const linked = c.href === undefined ? inner : `<a href="${escapeHtml(c.href)}">${inner}</a>`;
            return `<td${aligns[j] === 'right' ? ' class="num"' : ''}>${linked}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const cls = ['view', className].filter((x) => x !== '').join(' ');
  return `<div class="table-wrap"><table id="table-${escapeHtml(t.id)}" class="${escapeHtml(cls)}"><caption>${escapeHtml(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The table as a plain {@link Table} of raw values: what its CSV file holds. */
export function viewTableCsv(t: ViewTable): Table {
  checkShape(t);
  return { columns: t.columns.map((c) => c.key), rows: t.rows.map((r) => r.map((c) => c.v)) };
}

/** A fraction with two decimals as text for sentences ("40.40%"), re-exported for the views. */
export function pct(x: number): string {
  return formatPercent(x);
}

/** Percentage points for sentences ("+11.26 pp"). */
export function pp(x: number): string {
  return formatPp(x);
}

/** A number with `d` decimals for sentences. */
export function fixed(x: number, d: number): string {
  return formatFixed(x, d);
}
