/**
 * The view model of a table: typed columns and cells that carry their unit. It is
 * the only place a report table is defined; thin writers render the same object to
 * HTML (pages and notebooks, {@link viewTableHtml}) and to CSV ({@link viewTableCsv}),
 * so a page, its CSV file and a notebook display hold the same rows.
 */
import { formatFixed, formatNumber, formatP, formatPercent, formatPp, formatSeconds, isFiniteNumber, MISSING } from '../reports/format';
import { escapeHtml } from '../reports/html';
import type { Cell, Table } from '../reports/tables';
import type { Interval } from '../statistics';

/**
 * How a cell's value is shown: `text` as is; `count` an integer; `percent` a fraction in
 * %; `pp` a difference of fractions in percentage points; `change` a log-ratio as a %
 * change; `number` 4 significant digits; `signed` the same with a sign; `p` a p-value;
 * `seconds` a duration; `rate` a throughput per second; `code` a verdict or caveat code
 * (shown as its label); `size-pp` a spread of fractions in pp, unsigned; `yes-no` a boolean.
 */
export type Unit = 'text' | 'count' | 'percent' | 'pp' | 'size-pp' | 'change' | 'number' | 'signed' | 'p' | 'seconds' | 'rate' | 'code' | 'yes-no';

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
  /**
   * The column's cells carry an interval (`ViewCell.ci`): `with-value` shows "value [lo, hi]"
   * and writes CSV columns `<key>`, `<key>Lower`, `<key>Upper`; `only` shows "[lo, hi]" and
   * writes `<key>Lower`, `<key>Upper`. Default: no interval.
   */
  interval?: 'with-value' | 'only';
  /** CSV keys of the interval's ends. Default `<key>Lower`, `<key>Upper`. */
  ends?: readonly [string, string];
  /** Shown in bold (row labels such as the method). */
  strong?: boolean;
}

/** A cell: a raw value (what CSV holds) and how to show it. */
export interface ViewCell {
  /** Raw value. */
  v: Cell;
  /** How it is shown. */
  unit: Unit;
  /** Link target of the shown text, or undefined. */
  href?: string;
  /** The interval of an interval column (null when there is none, e.g. n < 2); its ends use the cell's unit. */
  ci?: Interval | null;
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
  'octization-higher': 'octization higher',
  'standard-higher': 'standard higher',
  'both-dead': 'both dead',
  holds: 'holds',
  fails: 'fails',
  undecided: 'undecided (difference inconclusive)',
  'standard-at-least': 'standard at least as high',
  'no-prediction': 'no prediction',
  'nothing-to-explain': 'nothing to explain (octization not higher)',
});

/** A cell constructor: `cell(0.4, 'percent')`. */
export function cell(v: Cell | undefined, unit: Unit = 'text', href?: string): ViewCell {
  return href === undefined ? { v: v === undefined ? null : v, unit } : { v: v === undefined ? null : v, unit, href };
}

/** A cell of an interval column: `icell(mean, 'percent', tCI)`. */
export function icell(v: Cell | undefined, unit: Unit, ci: Interval | null | undefined): ViewCell {
  return { v: v === undefined ? null : v, unit, ci: ci ?? null };
}

/** The text of one value by its unit. Missing or non-finite numbers show as an en dash. */
export function valueText(v: Cell, unit: Unit): string {
  return cellText({ v, unit });
}

/**
 * The text of one cell as shown under `col`: its value by its unit, then "[lo, hi]" for
 * an interval column (only the interval for `interval: 'only'`).
 */
export function columnText(col: ViewColumn | undefined, c: ViewCell): string {
  if (col?.interval === undefined) return cellText(c);
  const ci = c.ci === null || c.ci === undefined ? MISSING : `[${valueText(c.ci.lower, c.unit)}, ${valueText(c.ci.upper, c.unit)}]`;
  if (col.interval === 'only') return ci;
  return c.v === null ? MISSING : `${cellText(c)} ${ci}`;
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
    case 'size-pp':
      return isFiniteNumber(v) ? `${formatFixed(v * 100, 2)} pp` : MISSING;
    case 'rate':
      return isFiniteNumber(v) ? `${formatNumber(v, 4)}/s` : MISSING;
    case 'yes-no':
      return v === true ? 'yes' : v === false ? 'no' : String(v);
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
  return t.rows.map((r) => r.map((c, j) => columnText(t.columns[j], c)));
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
            const text = escapeHtml(columnText(t.columns[j], c));
            const coded = c.unit === 'code' && c.v !== null ? `<span class="verdict v-${escapeHtml(String(c.v))}">${text}</span>` : text;
            const inner = t.columns[j].strong === true ? `<strong>${coded}</strong>` : coded;
            const linked = c.href === undefined ? inner : `<a href="${escapeHtml(c.href)}">${inner}</a>`;
            return `<td${aligns[j] === 'right' ? ' class="num"' : ''}>${linked}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const cls = ['view', className].filter((x) => x !== '').join(' ');
  return `<div class="table-wrap"><table id="table-${escapeHtml(t.id)}" class="${escapeHtml(cls)}"><caption>${escapeHtml(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The CSV keys of one column: the key, and `<key>Lower`/`<key>Upper` for an interval column. */
function csvKeys(c: ViewColumn): string[] {
  if (c.interval === undefined) return [c.key];
  const ends = c.ends === undefined ? [`${c.key}Lower`, `${c.key}Upper`] : [...c.ends];
  return c.interval === 'only' ? ends : [c.key, ...ends];
}

/** The raw values one cell writes under {@link csvKeys}. */
function csvValues(col: ViewColumn, c: ViewCell): Cell[] {
  if (col.interval === undefined) return [c.v];
  const ends: Cell[] = [c.ci?.lower ?? null, c.ci?.upper ?? null];
  return col.interval === 'only' ? ends : [c.v, ...ends];
}

/** The table as a plain {@link Table} of raw values: what its CSV file holds (interval columns as value, lower, upper). */
export function viewTableCsv(t: ViewTable): Table {
  checkShape(t);
  return { columns: t.columns.flatMap(csvKeys), rows: t.rows.map((r) => r.flatMap((c, j) => csvValues(t.columns[j], c))) };
}

/** One part of a stacked CSV: the values that say which part a row belongs to (e.g. the panel), and its table. */
export interface StackPart {
  /** Leading key values, the same keys in every part. */
  keys: readonly (readonly [string, Cell])[];
  /** The table of this part. */
  table: ViewTable;
}

/**
 * Several view tables of the same shape (one per panel, say) as one CSV table: the
 * leading key columns, then each table's raw values. Throws when the parts' columns differ.
 */
export function stackedCsv(parts: readonly StackPart[], emptyColumns: readonly string[] = []): Table {
  if (parts.length === 0) return { columns: [...emptyColumns], rows: [] };
  const first = viewTableCsv(parts[0].table).columns;
  const keyNames = parts[0].keys.map(([k]) => k);
  const rows: Cell[][] = [];
  for (const p of parts) {
    const t = viewTableCsv(p.table);
    if (t.columns.join('\u0000') !== first.join('\u0000')) throw new Error(`stacked CSV: table '${p.table.id}' has other columns than '${parts[0].table.id}'`);
    const names = p.keys.map(([k]) => k);
    if (names.join('\u0000') !== keyNames.join('\u0000')) throw new Error(`stacked CSV: table '${p.table.id}' has other key columns`);
    for (const r of t.rows) rows.push([...p.keys.map(([, v]) => v), ...r]);
  }
  return { columns: [...keyNames, ...first], rows };
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
